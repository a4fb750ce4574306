//! The shared HTTP layer: one client with auth, rate limiting, retries,
//! secret scrubbing, typed decoding and pagination helpers, so every
//! connector behaves the same way on the wire.

mod auth;
mod client;
mod paginate;
mod prefetch;
mod rate_limit;
mod retry;
mod scrub;

pub use auth::{Auth, OAuth2ClientCredentials};
pub use client::{
    ErrorBodyParser, HttpClient, HttpConfig, RequestBuilder, Response, VendorError, decode_json,
};
pub use paginate::{PageOf, Paged, offset_pages, paginate};
pub use prefetch::prefetch;
pub use rate_limit::RateLimit;
pub use reqwest::{Method, StatusCode};
pub use retry::RetryPolicy;
pub use scrub::{excerpt, scrub};
