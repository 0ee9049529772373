//! The `monorepo` profile: the mix of a real service monorepo rather than a
//! tree of uniform source files.
//!
//! - about a tenth of the files are multi-document Kubernetes manifests
//!   (Deployment, Service, ConfigMap, Ingress, HPA, ServiceAccount), plus a
//!   Helm chart per service whose templates are not valid YAML until
//!   rendered;
//! - about one in fifty is a `.env*` file of placeholder settings;
//! - the code (Go, Python, TypeScript, Rust, Markdown) is full of the words
//!   secret scanners key on — `token`, `secret`, `key`, `credential`,
//!   `vault`, `session`, `password` — in lines that hold no secret, so a
//!   scanner's literal prefilter finds candidates in most files.

use super::{Lang, Rng, WORDS};

/// The languages of the monorepo's code (no Java: the mix of a typical
/// cloud-native monorepo).
pub const LANGS: &[Lang] = &[Lang::Go, Lang::Ts, Lang::Py, Lang::Rs, Lang::Md];

/// What one generated file is.
pub enum Kind {
    Code(Lang),
    Kubernetes,
    Env,
}

/// The kind of the `index`th file; files with planted values are code.
pub fn kind(rng: &mut Rng, planted: bool) -> Kind {
    let roll = rng.below(100);
    if planted || roll >= 12 {
        Kind::Code(*rng.pick(LANGS))
    } else if roll >= 2 {
        Kind::Kubernetes
    } else {
        Kind::Env
    }
}

const ENV_NAMES: &[&str] = &[
    ".env",
    ".env.example",
    ".env.local",
    ".env.production",
    ".env.test",
    ".env.development",
];

pub fn env_name(rng: &mut Rng) -> &'static str {
    ENV_NAMES[rng.below(ENV_NAMES.len())]
}

/// A line of code (or prose) that talks about credentials without holding
/// one, or `None` when the line should be an ordinary one.
pub fn secretish_line(lang: Lang, rng: &mut Rng) -> Option<String> {
    if rng.below(10) >= 3 {
        return None;
    }
    let a = rng.pick(WORDS);
    let b = rng.pick(WORDS);
    let upper = a.to_ascii_uppercase();
    let k = rng.below(1000);
    let line = match (lang, rng.below(6)) {
        (Lang::Go, 0) => format!("\ttoken, err := vault.ReadSecret(ctx, \"kv/{a}/{b}\")"),
        (Lang::Go, 1) => format!("\tsession.Set(\"{a}_token\", tokenFor({b}))"),
        (Lang::Go, 2) => "\tif cfg.APIKey == \"\" { return errMissingKey }".to_string(),
        (Lang::Go, 3) => "\tcreds := credentials.NewStaticProvider(os.Getenv(\"AWS_ACCESS_KEY_ID\"), os.Getenv(\"AWS_SECRET_ACCESS_KEY\"), \"\")".to_string(),
        (Lang::Go, 4) => format!("\t// rotate the {a} secret key before the {b} session expires"),
        (Lang::Go, _) => format!("\tpassword := os.Getenv(\"{upper}_PASSWORD\")"),
        (Lang::Ts, 0) => {
            "  const token = req.headers[\"authorization\"]?.replace(\"Bearer \", \"\");".to_string()
        }
        (Lang::Ts, 1) => format!("  const secret = process.env.{upper}_SECRET ?? \"\";"),
        (Lang::Ts, 2) => format!("  await vault.write(`secret/{a}/{b}`, {{ apiKey, token }});"),
        (Lang::Ts, 3) => {
            "  session.accessToken = await refreshToken(session.refreshToken);".to_string()
        }
        (Lang::Ts, 4) => format!("  private readonly {a}CredentialStore: CredentialStore;"),
        (Lang::Ts, _) => format!("  const {a}Key = keyring.get(\"{b}-signing-key\");"),
        (Lang::Py, 0) => format!("    api_key = os.environ[\"{upper}_API_KEY\"]"),
        (Lang::Py, 1) => format!("    token = session.get(\"{a}_token\")"),
        (Lang::Py, 2) => format!(
            "    secret = vault_client.secrets.kv.read_secret_version(path=\"{a}/{b}\")"
        ),
        (Lang::Py, 3) => format!("    password = getpass.getpass(\"{a} password: \")"),
        (Lang::Py, 4) => {
            "    credentials = Credentials.from_service_account_file(key_path)".to_string()
        }
        (Lang::Py, _) => format!("    # the {a} token is refreshed {k} seconds before expiry"),
        (Lang::Rs, 0) => {
            format!("    let token = std::env::var(\"{upper}_TOKEN\").unwrap_or_default();")
        }
        (Lang::Rs, 1) => {
            format!("    let secret_key = vault.read_secret(&format!(\"{a}/{b}\"))?;")
        }
        (Lang::Rs, 2) => format!("    session.insert(\"{a}_token\", &token)?;"),
        (Lang::Rs, 3) => format!("    /// The credential used to sign the {a} session token."),
        (Lang::Rs, 4) => format!("    let password = prompt_password(\"{b} password: \")?;"),
        (Lang::Rs, _) => format!("    let key = Key::derive_from(master_key.as_bytes(), {k});"),
        (_, 0) => format!(
            "Set `{upper}_API_KEY` to the key from the vault; the session token expires after {k} minutes."
        ),
        (_, 1) => format!("Rotate the {a} secret and the signing key every {k} days."),
        (_, 2) => format!("| `{upper}_TOKEN` | the {b} token | required |"),
        (_, 3) => format!("The {a} service reads its credentials from Vault at `secret/{b}`."),
        (_, 4) => format!("Never commit a password or an API key for the {a}."),
        (_, _) => format!("Sessions are signed with the {b} key and kept for {k} hours."),
    };
    Some(line)
}

/// A multi-document Kubernetes manifest of about `size` bytes for `service`.
pub fn kubernetes(rng: &mut Rng, service: &str, size: usize) -> String {
    let mut text = String::with_capacity(size + 1024);
    let name = service.rsplit('/').next().unwrap_or(service);
    let mut doc = 0;
    while text.len() < size {
        if doc > 0 {
            text.push_str("---\n");
        }
        let a = rng.pick(WORDS);
        let port = 8000 + rng.below(1000);
        match doc % 6 {
            0 => {
                text.push_str(&format!(
                    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}-{a}\n  labels:\n    app.kubernetes.io/name: {name}\n    app.kubernetes.io/component: {a}\nspec:\n  replicas: {}\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: {name}\n  template:\n    metadata:\n      labels:\n        app.kubernetes.io/name: {name}\n    spec:\n      serviceAccountName: {name}\n      containers:\n        - name: {a}\n          image: registry.example.com/{name}/{a}:1.{}.{}\n          ports:\n            - containerPort: {port}\n          env:\n",
                    2 + rng.below(4),
                    rng.below(40),
                    rng.below(10)
                ));
                for _ in 0..4 + rng.below(8) {
                    let var = rng.pick(WORDS).to_ascii_uppercase();
                    if rng.below(3) == 0 {
                        text.push_str(&format!(
                            "            - name: {var}_TOKEN\n              valueFrom:\n                secretKeyRef:\n                  name: {name}-secrets\n                  key: {}-token\n",
                            var.to_ascii_lowercase()
                        ));
                    } else {
                        text.push_str(&format!(
                            "            - name: {var}_URL\n              value: \"http://{}.{name}.svc.cluster.local:{port}\"\n",
                            var.to_ascii_lowercase()
                        ));
                    }
                }
                text.push_str(&format!(
                    "          resources:\n            requests:\n              cpu: {}m\n              memory: {}Mi\n            limits:\n              memory: {}Mi\n          readinessProbe:\n            httpGet:\n              path: /healthz\n              port: {port}\n          livenessProbe:\n            httpGet:\n              path: /livez\n              port: {port}\n",
                    100 + rng.below(400),
                    128 + rng.below(384),
                    512 + rng.below(512)
                ));
            }
            1 => text.push_str(&format!(
                "apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}-{a}\nspec:\n  selector:\n    app.kubernetes.io/name: {name}\n  ports:\n    - port: 80\n      targetPort: {port}\n"
            )),
            2 => {
                text.push_str(&format!(
                    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}-{a}-config\ndata:\n"
                ));
                for _ in 0..6 + rng.below(20) {
                    let b = rng.pick(WORDS);
                    let c = rng.pick(WORDS);
                    text.push_str(&format!(
                        "  {b}.{c}.enabled: \"{}\"\n  {b}.session.timeout: \"{}s\"\n",
                        rng.below(2) == 0,
                        rng.below(3600)
                    ));
                }
            }
            3 => text.push_str(&format!(
                "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: {name}-{a}\n  annotations:\n    cert-manager.io/cluster-issuer: letsencrypt\nspec:\n  tls:\n    - hosts: [{a}.example.com]\n      secretName: {name}-{a}-tls\n  rules:\n    - host: {a}.example.com\n      http:\n        paths:\n          - path: /\n            pathType: Prefix\n            backend:\n              service:\n                name: {name}-{a}\n                port:\n                  number: 80\n"
            )),
            4 => text.push_str(&format!(
                "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: {name}-{a}\nspec:\n  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: {name}-{a}\n  minReplicas: 2\n  maxReplicas: {}\n  metrics:\n    - type: Resource\n      resource:\n        name: cpu\n        target:\n          type: Utilization\n          averageUtilization: {}\n",
                4 + rng.below(20),
                50 + rng.below(40)
            )),
            _ => text.push_str(&format!(
                "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {name}\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/{name}-{a}\n"
            )),
        }
        doc += 1;
    }
    text
}

/// A `.env*` file of placeholder settings, about `size` bytes.
pub fn env(rng: &mut Rng, size: usize) -> String {
    let mut text = String::with_capacity(size + 128);
    text.push_str("# Local settings; real values come from Vault in production.\n");
    while text.len() < size {
        let a = rng.pick(WORDS);
        let upper = a.to_ascii_uppercase();
        let line = match rng.below(10) {
            0 => format!("DATABASE_URL=postgres://app:app@localhost:5432/{a}"),
            1 => "REDIS_URL=redis://localhost:6379/0".to_string(),
            2 => format!("{upper}_API_KEY=your-api-key-here"),
            3 => "JWT_SECRET=change-me".to_string(),
            4 => "SESSION_SECRET=".to_string(),
            5 => "VAULT_TOKEN=${VAULT_TOKEN}".to_string(),
            6 => format!("{upper}_TOKEN_TTL={}", rng.below(86_400)),
            7 => "LOG_LEVEL=info".to_string(),
            8 => format!("{upper}_URL=http://localhost:{}", 3000 + rng.below(6000)),
            _ => format!("# {a}: see docs/{a}.md"),
        };
        text.push_str(&line);
        text.push('\n');
    }
    text
}

/// A Helm chart for `service`: path (relative to the chart directory) and
/// text of each file.
pub fn helm_chart(service: &str) -> Vec<(String, String)> {
    let name = service.rsplit('/').next().unwrap_or(service);
    vec![
        (
            "Chart.yaml".to_string(),
            format!(
                "apiVersion: v2\nname: {name}\ndescription: The {name} service\ntype: application\nversion: 0.1.0\nappVersion: \"1.0.0\"\n"
            ),
        ),
        (
            "values.yaml".to_string(),
            format!(
                "replicaCount: 2\nimage:\n  repository: registry.example.com/{name}\n  tag: \"\"\n  pullPolicy: IfNotPresent\nexistingSecret: {name}-secrets\nsecretKeys:\n  apiKey: api-key\n  sessionSecret: session-secret\nresources:\n  limits:\n    memory: 512Mi\n  requests:\n    cpu: 100m\n    memory: 256Mi\n"
            ),
        ),
        (
            "templates/deployment.yaml".to_string(),
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include \"chart.fullname\" . }}\n  labels:\n    {{- include \"chart.labels\" . | nindent 4 }}\nspec:\n  replicas: {{ .Values.replicaCount }}\n  template:\n    spec:\n      containers:\n        - name: {{ .Chart.Name }}\n          image: \"{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}\"\n          env:\n            - name: API_KEY\n              valueFrom:\n                secretKeyRef:\n                  name: {{ .Values.existingSecret }}\n                  key: {{ .Values.secretKeys.apiKey }}\n          resources:\n            {{- toYaml .Values.resources | nindent 12 }}\n".to_string(),
        ),
        (
            "templates/service.yaml".to_string(),
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ include \"chart.fullname\" . }}\nspec:\n  ports:\n    - port: 80\n      targetPort: http\n  selector:\n    {{- include \"chart.selectorLabels\" . | nindent 4 }}\n".to_string(),
        ),
    ]
}
