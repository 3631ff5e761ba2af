//! Bearer tokens: JWTs checked with `jsonwebtoken` against the configured keys (an HS256
//! secret, or a JWKS file), with issuer, audience and expiry always required. The
//! principal is the `sub` claim; roles come from the configured claim.

use crate::config::AuthConfig;
use anyhow::{Context, Result, bail};
use erasure_core::access::Role;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, JwkSet, KeyAlgorithm};
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde_json::Value;

/// An authenticated caller: who, and the roles it holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    pub subject: String,
    pub roles: Vec<Role>,
    /// The controller a token names (the configured claim), for the "controller" role.
    pub controller: Option<String>,
}

/// A verification key and the one algorithm it verifies.
struct Key {
    kid: Option<String>,
    algorithm: Algorithm,
    key: DecodingKey,
}

/// Checks tokens against the configured keys and claims.
pub struct Verifier {
    keys: Vec<Key>,
    issuer: String,
    audience: String,
    leeway: u64,
    roles_claim: String,
    controller_claim: String,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("keys", &self.keys.len())
            .field("issuer", &self.issuer)
            .finish_non_exhaustive()
    }
}

/// Why a token was refused: a short phrase, never the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused(pub &'static str);

const MIN_SECRET: usize = 32;
const MAX_LEEWAY: u64 = 300;

impl Verifier {
    pub fn from_config(config: &AuthConfig) -> Result<Self> {
        if config.leeway_seconds > MAX_LEEWAY {
            bail!("auth.leeway_seconds: at most {MAX_LEEWAY}");
        }
        if config.issuer.trim().is_empty() || config.audience.trim().is_empty() {
            bail!("auth: issuer and audience must not be empty");
        }
        Ok(Self {
            keys: keys(config)?,
            issuer: config.issuer.clone(),
            audience: config.audience.clone(),
            leeway: config.leeway_seconds,
            roles_claim: config.roles_claim.clone(),
            controller_claim: config.controller_claim.clone(),
        })
    }

    /// The principal a token stands for, or why it is refused.
    pub fn verify(&self, token: &str) -> Result<Principal, Refused> {
        let header = decode_header(token).map_err(|_| Refused("malformed token"))?;
        let key = self
            .keys
            .iter()
            .filter(|k| k.algorithm == header.alg)
            .find(|k| header.kid.is_none() || k.kid.is_none() || k.kid == header.kid)
            .ok_or(Refused(
                "no configured key for the token's algorithm or key id",
            ))?;
        let mut validation = Validation::new(key.algorithm);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = self.leeway;
        validation.validate_nbf = true;
        let data = decode::<serde_json::Map<String, Value>>(token, &key.key, &validation)
            .map_err(|e| refused(e.kind()))?;
        let subject = match data.claims.get("sub") {
            Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
            _ => return Err(Refused("the token has no subject")),
        };
        let roles = roles(&data.claims, &self.roles_claim);
        let controller = claim(&data.claims, &self.controller_claim)
            .and_then(Value::as_str)
            .map(str::to_owned);
        Ok(Principal {
            subject,
            roles,
            controller,
        })
    }
}

fn refused(kind: &ErrorKind) -> Refused {
    Refused(match kind {
        ErrorKind::ExpiredSignature => "the token has expired",
        ErrorKind::ImmatureSignature => "the token is not valid yet",
        ErrorKind::InvalidIssuer => "the token's issuer is not the configured one",
        ErrorKind::InvalidAudience => "the token's audience is not this server",
        ErrorKind::InvalidSignature => "the token's signature does not verify",
        ErrorKind::MissingRequiredClaim(_) => "the token lacks exp, iss, aud or sub",
        ErrorKind::InvalidAlgorithm => "the token's algorithm does not match its key",
        _ => "malformed token",
    })
}

/// The roles in `claim` (dotted for nested objects): a string or an array of strings;
/// names that are not roles are ignored.
fn roles(claims: &serde_json::Map<String, Value>, name: &str) -> Vec<Role> {
    let value = claim(claims, name);
    let names: Vec<&str> = match value {
        Some(Value::String(s)) => s.split_whitespace().collect(),
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let mut roles: Vec<Role> = names.into_iter().filter_map(Role::parse).collect();
    roles.sort();
    roles.dedup();
    roles
}

/// The value of `name` (dotted for nested objects).
fn claim<'a>(claims: &'a serde_json::Map<String, Value>, name: &str) -> Option<&'a Value> {
    let mut parts = name.split('.');
    let first = parts.next().and_then(|p| claims.get(p));
    parts.fold(first, |v, p| v.and_then(|v| v.get(p)))
}

/// The keys of exactly one source: an HS256 secret (file or environment) or a JWKS file.
fn keys(config: &AuthConfig) -> Result<Vec<Key>> {
    let sources = [
        config.hs256_secret_file.is_some(),
        config.hs256_secret_env.is_some(),
        config.jwks_file.is_some(),
    ];
    if sources.iter().filter(|s| **s).count() != 1 {
        bail!("auth: set exactly one of hs256_secret_file, hs256_secret_env, jwks_file");
    }
    if let Some(path) = &config.jwks_file {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("auth.jwks_file: cannot read {}", path.display()))?;
        return jwks(&text).with_context(|| format!("auth.jwks_file {}", path.display()));
    }
    let secret = match (&config.hs256_secret_file, &config.hs256_secret_env) {
        (Some(path), _) => std::fs::read_to_string(path)
            .with_context(|| format!("auth.hs256_secret_file: cannot read {}", path.display()))?,
        (None, Some(var)) => std::env::var(var)
            .with_context(|| format!("auth.hs256_secret_env: {var} is not set"))?,
        (None, None) => unreachable!("one source is set"),
    };
    let secret = secret.trim();
    if secret.len() < MIN_SECRET {
        bail!("auth: the HS256 secret must be at least {MIN_SECRET} bytes");
    }
    Ok(vec![Key {
        kid: None,
        algorithm: Algorithm::HS256,
        key: DecodingKey::from_secret(secret.as_bytes()).context("unusable HS256 secret")?,
    }])
}

/// The public keys of a JWKS document; symmetric keys are refused (use the secret).
fn jwks(text: &str) -> Result<Vec<Key>> {
    let set: JwkSet = serde_json::from_str(text).context("not a JWKS document")?;
    let mut keys = Vec::new();
    for jwk in &set.keys {
        let algorithm = match jwk.common.key_algorithm {
            Some(a) => algorithm(a)?,
            None => implied_algorithm(&jwk.algorithm)?,
        };
        if matches!(jwk.algorithm, AlgorithmParameters::OctetKey(_)) {
            bail!("symmetric keys do not belong in a JWKS file: use hs256_secret_file");
        }
        keys.push(Key {
            kid: jwk.common.key_id.clone(),
            algorithm,
            key: DecodingKey::from_jwk(jwk).context("unusable key")?,
        });
    }
    if keys.is_empty() {
        bail!("no keys");
    }
    Ok(keys)
}

fn algorithm(a: KeyAlgorithm) -> Result<Algorithm> {
    Ok(match a {
        KeyAlgorithm::RS256 => Algorithm::RS256,
        KeyAlgorithm::RS384 => Algorithm::RS384,
        KeyAlgorithm::RS512 => Algorithm::RS512,
        KeyAlgorithm::PS256 => Algorithm::PS256,
        KeyAlgorithm::PS384 => Algorithm::PS384,
        KeyAlgorithm::PS512 => Algorithm::PS512,
        KeyAlgorithm::ES256 => Algorithm::ES256,
        KeyAlgorithm::ES384 => Algorithm::ES384,
        KeyAlgorithm::EdDSA => Algorithm::EdDSA,
        other => bail!("unsupported key algorithm {other:?}"),
    })
}

/// The algorithm of a key without `alg`: RS256, ES256/ES384 by curve, EdDSA.
fn implied_algorithm(params: &AlgorithmParameters) -> Result<Algorithm> {
    Ok(match params {
        AlgorithmParameters::RSA(_) => Algorithm::RS256,
        AlgorithmParameters::EllipticCurve(p) if p.curve == EllipticCurve::P256 => Algorithm::ES256,
        AlgorithmParameters::EllipticCurve(p) if p.curve == EllipticCurve::P384 => Algorithm::ES384,
        AlgorithmParameters::OctetKeyPair(_) => Algorithm::EdDSA,
        _ => bail!("a key without \"alg\" of a type that implies none"),
    })
}

#[cfg(test)]
mod tests;
