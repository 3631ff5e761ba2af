//! The connector conformance kit against a camera archive in a local directory.

mod support;

use support::cameras;

erasure_connector_sdk::connector_conformance!(local_directory, cameras);
