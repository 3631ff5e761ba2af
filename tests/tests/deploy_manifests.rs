//! The deployment files under `deploy/` hold together. Nothing here can start Docker or a
//! Kubernetes cluster, so this checks what can be checked without one: every YAML, TOML
//! and JSON file parses; every file that `compose.yaml` and `k8s/kustomization.yaml` name
//! exists; every config file a container is started with is provided by a mount (a
//! ConfigMap, in Kubernetes); every key, state and data path of a connector lands on a
//! Secret or a volume; the coordinator has its gRPC probes; and every system of the
//! inventory has a connector in each set-up.

use erasure_runtime::config::Config;
use erasure_runtime::connector::ConnectorFile;
use serde_norway::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const GRPC_PORT: u64 = 50051;

fn deploy() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy")
}

fn k8s_dir() -> PathBuf {
    deploy().join("k8s")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Every file under `dir` (recursively) whose name ends in one of `exts`.
fn files_under(dir: &Path, exts: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![dir.to_owned()];
    while let Some(d) = dirs.pop() {
        let entries = std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display()));
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| exts.contains(&e))
            {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Fails the test with every problem found, one a line.
fn assert_no_problems(what: &str, problems: &[String]) {
    assert!(problems.is_empty(), "{what}:\n  {}", problems.join("\n  "));
}

// --- YAML ---------------------------------------------------------------------------------

fn has_merge_key(v: &Value) -> bool {
    match v {
        Value::Mapping(m) => m
            .iter()
            .any(|(k, v)| k.as_str() == Some("<<") || has_merge_key(v)),
        Value::Sequence(s) => s.iter().any(has_merge_key),
        _ => false,
    }
}

/// Every document of a YAML file, `<<` merge keys applied (compose.yaml uses them);
/// empty documents (a trailing `---`) are skipped.
fn yaml_docs(path: &Path) -> Result<Vec<Value>, String> {
    use serde::Deserialize;
    let text = read(path);
    let mut docs = Vec::new();
    for (i, de) in serde_norway::Deserializer::from_str(&text).enumerate() {
        let mut doc = Value::deserialize(de)
            .map_err(|e| format!("{} document {}: {e}", path.display(), i + 1))?;
        // A merged mapping may itself hold a merge key (anchors built on anchors).
        for _ in 0..8 {
            if !has_merge_key(&doc) {
                break;
            }
            doc.apply_merge()
                .map_err(|e| format!("{} document {}: {e}", path.display(), i + 1))?;
        }
        if !doc.is_null() {
            docs.push(doc);
        }
    }
    Ok(docs)
}

fn yaml_docs_or_panic(path: &Path) -> Vec<Value> {
    yaml_docs(path).unwrap_or_else(|e| panic!("{e}"))
}

/// The value at a path of mapping keys.
fn at<'a>(v: &'a Value, keys: &[&str]) -> Option<&'a Value> {
    keys.iter().try_fold(v, |v, k| v.get(*k))
}

fn str_at<'a>(v: &'a Value, keys: &[&str]) -> Option<&'a str> {
    at(v, keys).and_then(Value::as_str)
}

fn seq_at<'a>(v: &'a Value, keys: &[&str]) -> &'a [Value] {
    at(v, keys)
        .and_then(Value::as_sequence)
        .map_or(&[], Vec::as_slice)
}

fn strings(values: &[Value]) -> Vec<String> {
    values
        .iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

/// The value after `--config` in a command line.
fn config_arg(args: &[String]) -> Option<&str> {
    args.iter()
        .position(|a| a == "--config")
        .and_then(|i| args.get(i + 1))
        .map(String::as_str)
}

/// A standalone connector's file, read through the runtime's typed schema.
fn connector_file(text: &str, origin: &str) -> ConnectorFile {
    ConnectorFile::parse(text, origin).unwrap_or_else(|e| panic!("{e:#}"))
}

/// A coordinator's configuration, read through the runtime's typed schema.
fn coordinator_config(text: &str, origin: &str) -> Config {
    Config::parse(text, origin).unwrap_or_else(|e| panic!("{e:#}"))
}

/// The paths a standalone connector's configuration names: key file, idempotency cache,
/// and what its kind names (a SQLite database, an object-store root).
fn connector_paths(file: &ConnectorFile) -> Vec<(&'static str, PathBuf)> {
    let mut out = vec![("key_file", file.key_file.clone())];
    out.extend(file.state.clone().map(|state| ("state", state)));
    out.extend(file.connector.paths());
    out
}

/// System ids of an inventory.
fn inventory_systems(config: &Config) -> BTreeSet<String> {
    config.systems.iter().map(|s| s.id.clone()).collect()
}

/// Resolves a connector's path the way the binary does: relative to the config file's
/// directory.
fn resolve(config_file: &str, path: &Path) -> PathBuf {
    let dir = Path::new(config_file).parent().unwrap_or(Path::new("/"));
    // Lexically, so that `state/../../x` is not taken for a path under `state/`.
    let mut out = PathBuf::new();
    for part in dir.join(path).components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

// --- Parsing ------------------------------------------------------------------------------

#[test]
fn every_yaml_file_under_deploy_parses() {
    let files = files_under(&deploy(), &["yaml", "yml"]);
    assert!(
        files.iter().any(|f| f.ends_with("compose.yaml")),
        "deploy/compose.yaml is missing"
    );
    let mut problems = Vec::new();
    for file in &files {
        match yaml_docs(file) {
            Err(e) => problems.push(e),
            Ok(docs) if docs.is_empty() => problems.push(format!("{}: empty", file.display())),
            Ok(docs) => {
                for (i, doc) in docs.iter().enumerate() {
                    if !doc.is_mapping() {
                        problems.push(format!(
                            "{} document {}: not a mapping",
                            file.display(),
                            i + 1
                        ));
                    }
                }
            }
        }
    }
    assert_no_problems("YAML files that do not parse", &problems);
}

#[test]
fn every_kubernetes_document_names_its_kind_and_itself() {
    let mut problems = Vec::new();
    for file in files_under(&k8s_dir(), &["yaml", "yml"]) {
        if file.file_stem().is_some_and(|s| s == "kustomization") {
            continue;
        }
        for doc in yaml_docs_or_panic(&file) {
            for keys in [&["apiVersion"][..], &["kind"], &["metadata", "name"]] {
                if str_at(&doc, keys).is_none_or(str::is_empty) {
                    problems.push(format!("{}: no {}", file.display(), keys.join(".")));
                }
            }
        }
    }
    assert_no_problems("Kubernetes documents without a kind or a name", &problems);
}

#[test]
fn every_toml_and_json_file_under_deploy_parses() {
    let tomls = files_under(&deploy(), &["toml"]);
    assert!(
        tomls.len() >= 7,
        "expected the example configurations, found {tomls:?}"
    );
    let mut problems = Vec::new();
    for file in &tomls {
        if let Err(e) = read(file).parse::<toml::Table>() {
            problems.push(format!("{}: {e}", file.display()));
        }
    }
    for file in files_under(&deploy(), &["json"]) {
        if let Err(e) = serde_json::from_str::<serde_json::Value>(&read(&file)) {
            problems.push(format!("{}: {e}", file.display()));
        }
    }
    assert_no_problems("configuration files that do not parse", &problems);
}

// --- Kustomize ----------------------------------------------------------------------------

/// `key=path` or `path` of a generator's `files:` entry: (key, path).
fn generator_file(entry: &str) -> (String, String) {
    match entry.split_once('=') {
        Some((key, path)) => (key.to_owned(), path.to_owned()),
        None => {
            let key = Path::new(entry)
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or(entry);
            (key.to_owned(), entry.to_owned())
        }
    }
}

#[test]
fn every_kustomization_entry_exists_and_every_manifest_is_listed() {
    let kustomizations: Vec<_> = files_under(&deploy(), &["yaml", "yml"])
        .into_iter()
        .filter(|f| f.file_stem().is_some_and(|s| s == "kustomization"))
        .collect();
    assert!(
        !kustomizations.is_empty(),
        "no kustomization.yaml under deploy/"
    );
    let mut problems = Vec::new();
    for file in &kustomizations {
        let dir = file.parent().expect("kustomization's directory");
        let k = yaml_docs_or_panic(file).remove(0);
        let mut listed = BTreeSet::new();
        for entry in strings(seq_at(&k, &["resources"])) {
            listed.insert(dir.join(&entry));
        }
        for generator in ["configMapGenerator", "secretGenerator"] {
            for g in seq_at(&k, &[generator]) {
                for entry in strings(seq_at(g, &["files"])) {
                    listed.insert(dir.join(generator_file(&entry).1));
                }
            }
        }
        for path in &listed {
            if !path.exists() {
                problems.push(format!(
                    "{} lists {}, which does not exist",
                    file.display(),
                    path.display()
                ));
            }
        }
        for path in files_under(dir, &["yaml", "yml", "toml", "json"]) {
            if &path != file && !listed.contains(&path) {
                problems.push(format!(
                    "{} is not listed in {}",
                    path.display(),
                    file.display()
                ));
            }
        }
    }
    assert_no_problems("kustomization problems", &problems);
}

// --- Kubernetes manifests -----------------------------------------------------------------

/// Everything `deploy/k8s/kustomization.yaml` puts together.
#[derive(Debug, Default)]
struct K8s {
    docs: Vec<Value>,
    /// ConfigMap name → key → content (from resources and from generators).
    config_maps: BTreeMap<String, BTreeMap<String, String>>,
    /// Secret name → keys.
    secrets: BTreeMap<String, BTreeSet<String>>,
    pvcs: BTreeSet<String>,
}

impl K8s {
    fn load() -> Self {
        let dir = k8s_dir();
        let k = yaml_docs_or_panic(&dir.join("kustomization.yaml")).remove(0);
        let mut me = Self::default();
        for entry in strings(seq_at(&k, &["resources"])) {
            me.docs.extend(yaml_docs_or_panic(&dir.join(entry)));
        }
        for g in seq_at(&k, &["configMapGenerator"]) {
            let name = str_at(g, &["name"]).expect("generator name").to_owned();
            let data = me.config_maps.entry(name).or_default();
            for entry in strings(seq_at(g, &["files"])) {
                let (key, path) = generator_file(&entry);
                data.insert(key, read(&dir.join(path)));
            }
            for literal in strings(seq_at(g, &["literals"])) {
                let (key, value) = literal.split_once('=').unwrap_or((&literal, ""));
                data.insert(key.to_owned(), value.to_owned());
            }
        }
        for doc in &me.docs {
            let name = str_at(doc, &["metadata", "name"])
                .unwrap_or_default()
                .to_owned();
            let keys = |field: &str| -> Vec<(String, String)> {
                at(doc, &[field])
                    .and_then(Value::as_mapping)
                    .map(|m| {
                        m.iter()
                            .filter_map(|(k, v)| {
                                Some((
                                    k.as_str()?.to_owned(),
                                    v.as_str().unwrap_or_default().to_owned(),
                                ))
                            })
                            .collect()
                    })
                    .unwrap_or_default()
            };
            match str_at(doc, &["kind"]) {
                Some("ConfigMap") => {
                    me.config_maps.entry(name).or_default().extend(keys("data"));
                }
                Some("Secret") => {
                    let entry = me.secrets.entry(name).or_default();
                    for field in ["data", "stringData"] {
                        entry.extend(keys(field).into_iter().map(|(k, _)| k));
                    }
                }
                Some("PersistentVolumeClaim") => {
                    me.pvcs.insert(name);
                }
                _ => {}
            }
        }
        me
    }

    fn of_kind(&self, kind: &str) -> impl Iterator<Item = &Value> {
        self.docs
            .iter()
            .filter(move |d| str_at(d, &["kind"]) == Some(kind))
    }

    fn deployments(&self) -> Vec<Deployment<'_>> {
        self.of_kind("Deployment")
            .map(|d| Deployment {
                name: str_at(d, &["metadata", "name"]).unwrap_or_default(),
                pod: at(d, &["spec", "template", "spec"]).expect("Deployment without a pod spec"),
            })
            .collect()
    }

    /// What is at `path` in `container`: the volume mounted over it and the key it reads.
    fn mounted(&self, pod: &Value, container: &Value, path: &str) -> Result<Mounted, String> {
        let path = Path::new(path);
        let mount = seq_at(container, &["volumeMounts"])
            .iter()
            .filter(|m| str_at(m, &["mountPath"]).is_some_and(|p| path.starts_with(p)))
            .max_by_key(|m| str_at(m, &["mountPath"]).map_or(0, str::len))
            .ok_or_else(|| format!("{} is on no volume", path.display()))?;
        let mount_path = Path::new(str_at(mount, &["mountPath"]).unwrap_or_default());
        let volume_name = str_at(mount, &["name"]).unwrap_or_default();
        let volume = seq_at(pod, &["volumes"])
            .iter()
            .find(|v| str_at(v, &["name"]) == Some(volume_name))
            .ok_or_else(|| format!("volume {volume_name} is mounted but not declared"))?;
        let read_only = at(mount, &["readOnly"]).and_then(Value::as_bool) == Some(true);
        let file = match str_at(mount, &["subPath"]) {
            Some(sub) if path == mount_path => sub.to_owned(),
            Some(_) => return Err(format!("{} is under a subPath mount", path.display())),
            None => path
                .strip_prefix(mount_path)
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_default(),
        };
        let projected_key = |source: &Value| -> String {
            seq_at(source, &["items"])
                .iter()
                .find(|i| str_at(i, &["path"]) == Some(file.as_str()))
                .and_then(|i| str_at(i, &["key"]))
                .map_or_else(|| file.clone(), str::to_owned)
        };
        if let Some(cm) = at(volume, &["configMap"]) {
            let name = str_at(cm, &["name"]).unwrap_or_default();
            let key = projected_key(cm);
            let content = self
                .config_maps
                .get(name)
                .ok_or_else(|| format!("ConfigMap {name} does not exist"))?
                .get(&key)
                .ok_or_else(|| {
                    format!("ConfigMap {name} has no key {key:?} for {}", path.display())
                })?;
            return Ok(Mounted::ConfigMap {
                content: content.clone(),
            });
        }
        if let Some(secret) = at(volume, &["secret"]) {
            let name = str_at(secret, &["secretName"]).unwrap_or_default();
            let key = projected_key(secret);
            let keys = self
                .secrets
                .get(name)
                .ok_or_else(|| format!("Secret {name} does not exist"))?;
            if !keys.contains(&key) {
                return Err(format!(
                    "Secret {name} has no key {key:?} for {}",
                    path.display()
                ));
            }
            return Ok(Mounted::Secret);
        }
        if let Some(claim) = str_at(volume, &["persistentVolumeClaim", "claimName"]) {
            if !self.pvcs.contains(claim) {
                return Err(format!("PersistentVolumeClaim {claim} does not exist"));
            }
        } else if at(volume, &["emptyDir"]).is_none() {
            return Err(format!(
                "volume {volume_name} is of a kind this test does not know"
            ));
        }
        Ok(Mounted::Writable { read_only })
    }
}

#[derive(Debug)]
enum Mounted {
    ConfigMap { content: String },
    Secret,
    Writable { read_only: bool },
}

#[derive(Debug)]
struct Deployment<'a> {
    name: &'a str,
    pod: &'a Value,
}

impl<'a> Deployment<'a> {
    fn containers(&self) -> impl Iterator<Item = &'a Value> {
        seq_at(self.pod, &["initContainers"])
            .iter()
            .chain(seq_at(self.pod, &["containers"]))
    }

    /// The main container that is started with `erasure <subcommand>`.
    fn erasure(&self, subcommand: &str) -> Option<&'a Value> {
        seq_at(self.pod, &["containers"])
            .iter()
            .find(|c| strings(seq_at(c, &["args"])).first().map(String::as_str) == Some(subcommand))
    }

    /// The config file the main container is started with, and its content.
    fn config(&self, k8s: &K8s, subcommand: &str) -> Option<(String, String)> {
        let container = self.erasure(subcommand)?;
        let path = config_arg(&strings(seq_at(container, &["args"])))?.to_owned();
        match k8s.mounted(self.pod, container, &path) {
            Ok(Mounted::ConfigMap { content }) => Some((path, content)),
            _ => None,
        }
    }
}

#[test]
fn every_deployment_reads_a_config_file_that_a_config_map_provides() {
    let k8s = K8s::load();
    let deployments = k8s.deployments();
    assert!(
        deployments.len() >= 6,
        "expected a coordinator and five connectors: {deployments:?}"
    );
    let mut problems = Vec::new();
    for d in &deployments {
        for c in d.containers() {
            let args = strings(seq_at(c, &["args"]));
            let Some(path) = config_arg(&args) else {
                continue;
            };
            match k8s.mounted(d.pod, c, path) {
                Ok(Mounted::ConfigMap { content }) => {
                    let origin = format!("{} {path}", d.name);
                    match args.first().map(String::as_str) {
                        Some("serve") => drop(coordinator_config(&content, &origin)),
                        Some("connector") => drop(connector_file(&content, &origin)),
                        other => problems.push(format!("{origin}: started as {other:?}")),
                    }
                }
                Ok(other) => problems.push(format!(
                    "{}: {path} comes from {other:?}, not a ConfigMap",
                    d.name
                )),
                Err(e) => problems.push(format!("{}: --config {path}: {e}", d.name)),
            }
        }
        if d.erasure("serve").is_none() && d.erasure("connector").is_none() {
            problems.push(format!(
                "{}: runs neither `erasure serve` nor `erasure connector`",
                d.name
            ));
        }
    }
    assert_no_problems(
        "Deployments whose config file no ConfigMap provides",
        &problems,
    );
}

#[test]
fn every_volume_and_reference_of_a_pod_exists() {
    let k8s = K8s::load();
    let mut problems = Vec::new();
    for d in k8s.deployments() {
        for v in seq_at(d.pod, &["volumes"]) {
            if let Some(name) = str_at(v, &["configMap", "name"])
                && !k8s.config_maps.contains_key(name)
            {
                problems.push(format!("{}: ConfigMap {name} does not exist", d.name));
            }
            if let Some(name) = str_at(v, &["secret", "secretName"])
                && !k8s.secrets.contains_key(name)
            {
                problems.push(format!("{}: Secret {name} does not exist", d.name));
            }
            if let Some(name) = str_at(v, &["persistentVolumeClaim", "claimName"])
                && !k8s.pvcs.contains(name)
            {
                problems.push(format!(
                    "{}: PersistentVolumeClaim {name} does not exist",
                    d.name
                ));
            }
        }
        for c in d.containers() {
            for m in seq_at(c, &["volumeMounts"]) {
                let name = str_at(m, &["name"]).unwrap_or_default();
                if !seq_at(d.pod, &["volumes"])
                    .iter()
                    .any(|v| str_at(v, &["name"]) == Some(name))
                {
                    problems.push(format!("{}: mounts undeclared volume {name}", d.name));
                }
            }
            for e in seq_at(c, &["envFrom"]) {
                if let Some(name) = str_at(e, &["configMapRef", "name"])
                    && !k8s.config_maps.contains_key(name)
                {
                    problems.push(format!(
                        "{}: envFrom ConfigMap {name} does not exist",
                        d.name
                    ));
                }
            }
            for e in seq_at(c, &["env"]) {
                if let Some(r) = at(e, &["valueFrom", "secretKeyRef"]) {
                    let (name, key) = (
                        str_at(r, &["name"]).unwrap_or_default(),
                        str_at(r, &["key"]).unwrap_or_default(),
                    );
                    if !k8s.secrets.get(name).is_some_and(|keys| keys.contains(key)) {
                        problems.push(format!("{}: Secret {name} has no key {key}", d.name));
                    }
                }
            }
        }
    }
    assert_no_problems("dangling references in the Kubernetes manifests", &problems);
}

#[test]
fn k8s_connectors_read_their_key_from_a_secret_and_write_to_a_volume() {
    let k8s = K8s::load();
    let mut problems = Vec::new();
    let mut seen = 0;
    for d in k8s.deployments() {
        let Some(container) = d.erasure("connector") else {
            continue;
        };
        let Some((config_file, content)) = d.config(&k8s, "connector") else {
            problems.push(format!("{}: no config file from a ConfigMap", d.name));
            continue;
        };
        seen += 1;
        let config = connector_file(&content, &config_file);
        for (what, path) in connector_paths(&config) {
            let resolved = resolve(&config_file, &path);
            let resolved = resolved.to_string_lossy();
            match (what, k8s.mounted(d.pod, container, &resolved)) {
                ("key_file", Ok(Mounted::Secret)) => {}
                ("key_file", other) => problems.push(format!(
                    "{}: key_file {resolved} is not a Secret's key: {other:?}",
                    d.name
                )),
                (_, Ok(Mounted::Writable { read_only: false })) => {}
                (_, other) => problems.push(format!(
                    "{}: {what} {resolved} is on no writable volume: {other:?}",
                    d.name
                )),
            }
        }
    }
    assert_no_problems("connector paths that no mount provides", &problems);
    assert!(
        seen >= 5,
        "expected five connector Deployments, found {seen}"
    );
}

#[test]
fn k8s_coordinator_has_grpc_readiness_and_liveness_probes_on_50051() {
    let k8s = K8s::load();
    let deployments = k8s.deployments();
    let coordinator = deployments
        .iter()
        .find_map(|d| d.erasure("serve"))
        .expect("a Deployment running `erasure serve`");
    for probe in ["readinessProbe", "livenessProbe"] {
        let port = at(coordinator, &[probe, "grpc", "port"]).and_then(Value::as_u64);
        assert_eq!(
            port,
            Some(GRPC_PORT),
            "{probe} must be a gRPC probe on port {GRPC_PORT}"
        );
    }
    let ports: Vec<_> = seq_at(coordinator, &["ports"])
        .iter()
        .filter_map(|p| at(p, &["containerPort"]).and_then(Value::as_u64))
        .collect();
    assert!(
        ports.contains(&GRPC_PORT),
        "the coordinator container does not declare port {GRPC_PORT}"
    );
    let service_ports: Vec<_> = k8s
        .of_kind("Service")
        .flat_map(|s| seq_at(s, &["spec", "ports"]))
        .filter_map(|p| at(p, &["port"]).and_then(Value::as_u64))
        .collect();
    assert!(
        service_ports.contains(&GRPC_PORT),
        "no Service exposes port {GRPC_PORT}"
    );
}

#[test]
fn k8s_coordinator_finds_its_keys_and_the_connectors_trust_file() {
    let k8s = K8s::load();
    let deployments = k8s.deployments();
    let d = deployments
        .iter()
        .find(|d| d.erasure("serve").is_some())
        .expect("a Deployment running `erasure serve`");
    let container = d.erasure("serve").expect("serve");
    let args = strings(seq_at(container, &["args"]));
    let data_dir = args
        .iter()
        .position(|a| a == "--data-dir")
        .and_then(|i| args.get(i + 1))
        .expect("the coordinator is started with --data-dir");
    let mut problems = Vec::new();
    for key in ["keys/master.key", "keys/coordinator.json"] {
        let path = format!("{data_dir}/{key}");
        if !matches!(k8s.mounted(d.pod, container, &path), Ok(Mounted::Secret)) {
            problems.push(format!("{path} does not come from a Secret"));
        }
    }
    let (config_file, content) = d
        .config(&k8s, "serve")
        .expect("coordinator config from a ConfigMap");
    let config = coordinator_config(&content, &config_file);
    let trust = config
        .keys
        .trusted_connectors
        .as_deref()
        .expect("[keys] trusted_connectors");
    let trust = Path::new(data_dir).join(trust);
    match k8s.mounted(d.pod, container, &trust.to_string_lossy()) {
        Ok(Mounted::ConfigMap { content }) => {
            let json: serde_json::Value =
                serde_json::from_str(&content).expect("trust file is JSON");
            let systems: BTreeSet<String> = json["connectors"]
                .as_object()
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default();
            if systems != inventory_systems(&config) {
                problems.push(format!(
                    "the trust file names {systems:?}, the inventory {:?}",
                    inventory_systems(&config)
                ));
            }
        }
        other => problems.push(format!(
            "{} is not from a ConfigMap: {other:?}",
            trust.display()
        )),
    }
    assert_no_problems("coordinator keys", &problems);
}

#[test]
fn k8s_containers_run_as_non_root_with_a_read_only_root_and_limits() {
    let k8s = K8s::load();
    let mut problems = Vec::new();
    for d in k8s.deployments() {
        if at(d.pod, &["securityContext", "runAsNonRoot"]).and_then(Value::as_bool) != Some(true) {
            problems.push(format!("{}: pod without runAsNonRoot: true", d.name));
        }
        for c in d.containers() {
            let name = str_at(c, &["name"]).unwrap_or_default();
            if at(c, &["securityContext", "readOnlyRootFilesystem"]).and_then(Value::as_bool)
                != Some(true)
            {
                problems.push(format!("{}/{name}: root filesystem not read-only", d.name));
            }
            if at(c, &["securityContext", "allowPrivilegeEscalation"]).and_then(Value::as_bool)
                != Some(false)
            {
                problems.push(format!(
                    "{}/{name}: allowPrivilegeEscalation not false",
                    d.name
                ));
            }
            for kind in ["requests", "limits"] {
                for resource in ["cpu", "memory"] {
                    if at(c, &["resources", kind, resource]).is_none() {
                        problems.push(format!("{}/{name}: no {kind}.{resource}", d.name));
                    }
                }
            }
        }
    }
    assert_no_problems(
        "containers without their security context or resources",
        &problems,
    );
}

// --- Compose ------------------------------------------------------------------------------

fn compose() -> Value {
    yaml_docs_or_panic(&deploy().join("compose.yaml")).remove(0)
}

fn services(compose: &Value) -> Vec<(String, &Value)> {
    at(compose, &["services"])
        .and_then(Value::as_mapping)
        .expect("compose.yaml has services")
        .iter()
        .filter_map(|(k, v)| Some((k.as_str()?.to_owned(), v)))
        .collect()
}

/// A service's volumes as (source, target): short syntax `SOURCE:TARGET[:MODE]` or long.
fn service_volumes(service: &Value) -> Vec<(Option<String>, String)> {
    seq_at(service, &["volumes"])
        .iter()
        .filter_map(|v| match v.as_str() {
            Some(short) => {
                let parts: Vec<&str> = short.split(':').collect();
                match parts.as_slice() {
                    [target] => Some((None, (*target).to_owned())),
                    [source, target, ..] => {
                        Some((Some((*source).to_owned()), (*target).to_owned()))
                    }
                    [] => None,
                }
            }
            None => Some((
                str_at(v, &["source"]).map(str::to_owned),
                str_at(v, &["target"])?.to_owned(),
            )),
        })
        .collect()
}

fn is_host_path(source: &str) -> bool {
    source.starts_with('.') || source.starts_with('/') || source.starts_with('~')
}

fn command(service: &Value) -> Vec<String> {
    strings(seq_at(service, &["command"]))
}

#[test]
fn compose_builds_and_mounts_only_what_exists() {
    let compose = compose();
    let base = deploy();
    let declared: BTreeSet<String> = at(&compose, &["volumes"])
        .and_then(Value::as_mapping)
        .map(|m| {
            m.keys()
                .filter_map(|k| k.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let services = services(&compose);
    let names: BTreeSet<&str> = services.iter().map(|(n, _)| n.as_str()).collect();
    let mut problems = Vec::new();
    for (name, service) in &services {
        if let Some(context) = str_at(service, &["build", "context"]) {
            let context = base.join(context);
            if !context.is_dir() {
                problems.push(format!(
                    "{name}: build context {} is not a directory",
                    context.display()
                ));
            }
            let dockerfile =
                context.join(str_at(service, &["build", "dockerfile"]).unwrap_or("Dockerfile"));
            if !dockerfile.is_file() {
                problems.push(format!("{name}: {} does not exist", dockerfile.display()));
            }
        } else if str_at(service, &["image"]).is_none() {
            problems.push(format!("{name}: neither build nor image"));
        }
        for (source, target) in service_volumes(service) {
            match source {
                Some(s) if is_host_path(&s) && !base.join(&s).exists() => {
                    problems.push(format!(
                        "{name}: mounts {s} (at {target}), which does not exist"
                    ));
                }
                Some(s) if is_host_path(&s) => {}
                Some(s) if !declared.contains(&s) => {
                    problems.push(format!("{name}: volume {s} is not declared under volumes:"));
                }
                _ => {}
            }
        }
        let depends = at(service, &["depends_on"]).and_then(Value::as_mapping);
        for (dep, how) in depends.into_iter().flatten() {
            let dep = dep.as_str().unwrap_or_default();
            let dependency = services.iter().find(|(n, _)| n == dep).map(|(_, s)| *s);
            let Some(dependency) = dependency else {
                problems.push(format!("{name}: depends on {dep}, which is not a service"));
                continue;
            };
            match str_at(how, &["condition"]) {
                Some("service_healthy") if at(dependency, &["healthcheck", "test"]).is_none() => {
                    problems.push(format!(
                        "{name}: waits for {dep} to be healthy, which has no healthcheck"
                    ));
                }
                Some("service_completed_successfully")
                    if str_at(dependency, &["restart"]) != Some("no") =>
                {
                    problems.push(format!(
                        "{name}: waits for {dep} to complete, which restarts"
                    ));
                }
                Some("service_healthy" | "service_completed_successfully" | "service_started") => {}
                other => {
                    problems.push(format!("{name}: depends on {dep} with condition {other:?}"))
                }
            }
        }
    }
    for wanted in ["postgres", "kafka", "coordinator"] {
        if !names.contains(wanted) {
            problems.push(format!("no {wanted} service"));
        }
    }
    assert_no_problems("compose.yaml references that do not exist", &problems);
}

/// Every `erasure connector --config FILE` service of compose.yaml: (service, the config
/// file's path in the container, the file in the repository).
fn compose_connectors(compose: &Value) -> Vec<(String, String, PathBuf)> {
    let mut out = Vec::new();
    for (name, service) in services(compose) {
        let cmd = command(service);
        if cmd.first().map(String::as_str) != Some("connector") {
            continue;
        }
        let target = config_arg(&cmd)
            .unwrap_or_else(|| panic!("{name}: connector without --config"))
            .to_owned();
        let source = service_volumes(service)
            .into_iter()
            .find(|(_, t)| *t == target)
            .and_then(|(s, _)| s)
            .unwrap_or_else(|| panic!("{name}: nothing is mounted at its --config {target}"));
        out.push((name, target, deploy().join(source)));
    }
    out
}

#[test]
fn compose_connectors_keep_keys_state_and_data_on_volumes() {
    let compose = compose();
    let connectors = compose_connectors(&compose);
    assert!(
        connectors.len() >= 5,
        "expected five connector services: {connectors:?}"
    );
    let services = services(&compose);
    let mut problems = Vec::new();
    for (name, target, source) in &connectors {
        let service = services
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, s)| *s)
            .expect("service");
        let config = connector_file(&read(source), &source.display().to_string());
        let volumes: Vec<String> = service_volumes(service)
            .into_iter()
            .filter(|(s, _)| s.as_deref().is_some_and(|s| !is_host_path(s)))
            .map(|(_, t)| t)
            .collect();
        for (what, path) in connector_paths(&config) {
            let resolved = resolve(target, &path);
            if !volumes.iter().any(|v| resolved.starts_with(v)) {
                problems.push(format!(
                    "{name}: {what} {} is on no named volume",
                    resolved.display()
                ));
            }
        }
    }
    assert_no_problems("connector paths outside the volumes", &problems);
}

// --- One inventory, five connectors, everywhere -------------------------------------------

#[test]
fn every_system_of_the_inventory_has_a_connector_in_each_set_up() {
    let examples = deploy().join("examples/distributed");
    let inventory = inventory_systems(&coordinator_config(
        &read(&examples.join("coordinator.toml")),
        "examples/distributed/coordinator.toml",
    ));
    assert_eq!(
        inventory.len(),
        5,
        "the distributed example has five systems: {inventory:?}"
    );
    let mut problems = Vec::new();

    let mut example_connectors = BTreeSet::new();
    for file in files_under(&examples.join("connectors"), &["toml"]) {
        let system = connector_file(&read(&file), &file.display().to_string()).system;
        let stem = file.file_stem().and_then(|s| s.to_str());
        if stem != Some(system.as_str()) {
            problems.push(format!("{} configures system {system:?}", file.display()));
        }
        example_connectors.insert(system);
    }

    let compose = compose();
    let compose_connectors: BTreeSet<String> = compose_connectors(&compose)
        .iter()
        .map(|(_, _, source)| connector_file(&read(source), "compose connector").system)
        .collect();

    let k8s = K8s::load();
    let mut k8s_connectors = BTreeSet::new();
    let mut k8s_inventory = BTreeSet::new();
    for d in k8s.deployments() {
        if let Some((path, content)) = d.config(&k8s, "connector") {
            k8s_connectors.insert(connector_file(&content, &path).system);
        }
        if let Some((path, content)) = d.config(&k8s, "serve") {
            k8s_inventory = inventory_systems(&coordinator_config(&content, &path));
        }
    }

    for (what, systems) in [
        ("example connector configs", &example_connectors),
        ("compose.yaml connector services", &compose_connectors),
        ("Kubernetes connector Deployments", &k8s_connectors),
        ("the Kubernetes coordinator's inventory", &k8s_inventory),
    ] {
        if *systems != inventory {
            problems.push(format!(
                "{what}: {systems:?}, but the inventory has {inventory:?}"
            ));
        }
    }
    assert_no_problems("systems without a connector", &problems);
}
