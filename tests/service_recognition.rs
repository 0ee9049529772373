//! What a service is made of, recognised the way each framework writes it.
//!
//! Each case is a small repository written into a temporary folder: a
//! manifest that makes it a service, plus the one file whose idiom is under
//! test. The audit must give the named check the stated status, so a
//! framework's way of declaring a health route, a readiness check or a
//! dependency is proven on its own.

use readyctl::model::Status;
use readyctl::{AuditOptions, Catalog, Config, audit};

const GO_SERVICE: (&str, &str) = (
    "go.mod",
    "module example.com/svc\n\ngo 1.22\n\nrequire github.com/gin-gonic/gin v1.10.0\n",
);
const GO_MAIN: (&str, &str) = (
    "cmd/svc/main.go",
    "package main\n\nfunc main() { r.Run(\":8080\") }\n",
);

fn status_of(files: &[(&str, &str)], check: &str) -> (Status, String) {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let full = dir.path().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    }
    let report = audit(
        dir.path(),
        &Catalog::builtin().unwrap(),
        &Config::default(),
        &AuditOptions::new("case"),
    )
    .unwrap();
    let result = report
        .checks
        .iter()
        .find(|c| c.id == check)
        .unwrap_or_else(|| panic!("{check} not in the report"));
    (result.status, result.message.clone())
}

fn assert_status(files: &[(&str, &str)], check: &str, want: Status) {
    let (got, message) = status_of(files, check);
    assert_eq!(got, want, "{check}: {message}");
}

#[test]
fn go_servemux_method_pattern_is_a_health_route() {
    let server = (
        "internal/http/server.go",
        "package http\n\nfunc (s *Server) Setup() {\n\ts.mux.HandleFunc(\"GET /system/liveness\", s.live)\n}\n",
    );
    assert_status(
        &[GO_SERVICE, GO_MAIN, server],
        "monitoring.health-endpoint",
        Status::Pass,
    );
    // A route about something else is no health route.
    let other = (
        "internal/http/server.go",
        "package http\n\nfunc (s *Server) Setup() {\n\ts.mux.HandleFunc(\"GET /bookmark/{id}\", s.get)\n}\n",
    );
    assert_status(
        &[GO_SERVICE, GO_MAIN, other],
        "monitoring.health-endpoint",
        Status::Fail,
    );
}

#[test]
fn rocket_route_taking_a_database_connection_is_readiness() {
    let manifest = (
        "Cargo.toml",
        "[package]\nname = \"svc\"\n[dependencies]\nrocket = \"0.5\"\n",
    );
    let web = (
        "src/api/web.rs",
        "#[get(\"/alive\")]\nfn alive(_conn: DbConn) -> Json<String> {\n    now()\n}\n",
    );
    let main = ("src/main.rs", "fn main() {}\n");
    assert_status(
        &[manifest, main, web],
        "monitoring.health-endpoint",
        Status::Pass,
    );
    assert_status(
        &[manifest, main, web],
        "monitoring.readiness-endpoint",
        Status::Pass,
    );
    let no_db = (
        "src/api/web.rs",
        "#[get(\"/alive\")]\nfn alive() -> Json<String> {\n    now()\n}\n",
    );
    assert_status(
        &[manifest, main, no_db],
        "monitoring.readiness-endpoint",
        Status::Fail,
    );
}

#[test]
fn django_status_view_running_select_1_is_readiness() {
    let reqs = ("requirements.txt", "Django==5.1\npsycopg==3.2\n");
    let urls = (
        "hc/api/urls.py",
        "from django.urls import path\nurlpatterns = [path(\"status/\", views.status)]\n",
    );
    let views = (
        "hc/api/views.py",
        "def status(request):\n    with connection.cursor() as c:\n        c.execute(\"SELECT 1\")\n    return HttpResponse(\"OK\")\n",
    );
    assert_status(
        &[reqs, urls, views],
        "monitoring.health-endpoint",
        Status::Pass,
    );
    assert_status(
        &[reqs, urls, views],
        "monitoring.readiness-endpoint",
        Status::Pass,
    );
}

#[test]
fn remix_flat_route_checking_the_database_is_health_and_readiness() {
    let manifest = (
        "package.json",
        "{ \"dependencies\": { \"express\": \"4\", \"@prisma/client\": \"5\" } }",
    );
    let route = (
        "apps/remix/app/routes/api+/health.ts",
        "export const loader = async () => {\n  await prisma.$queryRaw`SELECT 1`;\n  return Response.json({ status: 'ok' });\n};\n",
    );
    assert_status(
        &[manifest, route],
        "monitoring.health-endpoint",
        Status::Pass,
    );
    assert_status(
        &[manifest, route],
        "monitoring.readiness-endpoint",
        Status::Pass,
    );
}

#[test]
fn image_healthcheck_probing_the_service_is_a_health_endpoint() {
    let reqs = ("requirements.txt", "fastapi==0.115\n");
    let dockerfile = (
        "docker/Dockerfile",
        "FROM python:3.12-slim\nCOPY . /app\nHEALTHCHECK CMD python /app/scripts/healthcheck.py || exit 1\nCMD [\"uvicorn\", \"app:app\"]\n",
    );
    assert_status(
        &[reqs, dockerfile],
        "monitoring.health-endpoint",
        Status::Pass,
    );
    let db_probe = (
        "docker/Dockerfile",
        "FROM python:3.12-slim\nCOPY . /app\nHEALTHCHECK CMD pg_isready -U app\nCMD [\"uvicorn\", \"app:app\"]\n",
    );
    assert_status(
        &[reqs, db_probe],
        "monitoring.health-endpoint",
        Status::Fail,
    );
}

#[test]
fn unregistered_grpc_health_method_is_not_readiness() {
    let health = (
        "server/health_service.go",
        "package v1\n\nimport \"google.golang.org/grpc/health/grpc_health_v1\"\n\nfunc (s *Service) Check(ctx context.Context, _ *grpc_health_v1.HealthCheckRequest) {}\n",
    );
    assert_status(
        &[GO_SERVICE, GO_MAIN, health],
        "monitoring.readiness-endpoint",
        Status::Fail,
    );
}

#[test]
fn indirect_go_requirements_are_no_evidence() {
    let go_mod = (
        "go.mod",
        "module example.com/svc\n\nrequire (\n\tgithub.com/gin-gonic/gin v1.10.0\n\tgo.opentelemetry.io/otel/metric v1.24.0 // indirect\n)\n",
    );
    assert_status(&[go_mod, GO_MAIN], "monitoring.metrics", Status::Fail);
    let direct = (
        "go.mod",
        "module example.com/svc\n\nrequire (\n\tgithub.com/gin-gonic/gin v1.10.0\n\tgo.opentelemetry.io/otel/metric v1.24.0\n)\n",
    );
    assert_status(&[direct, GO_MAIN], "monitoring.metrics", Status::Pass);
}

#[test]
fn django_in_a_requirements_folder_makes_a_service() {
    let files = [
        ("requirements.txt", "-r requirements/production.txt\n"),
        ("requirements/base.txt", "Django>=5.1,<5.2\n"),
        ("requirements/production.txt", "-r base.txt\nuwsgi\n"),
        ("bakerydemo/urls.py", "urlpatterns = []\n"),
    ];
    assert_status(&files, "monitoring.health-endpoint", Status::Fail);
    assert_status(&files, "monitoring.metrics", Status::Fail);
}

#[test]
fn a_library_is_not_asked_for_probes() {
    let files = [
        (
            "Cargo.toml",
            "[package]\nname = \"lib\"\n[dependencies]\nserde = \"1\"\n",
        ),
        ("src/lib.rs", "pub fn f() {}\n"),
    ];
    assert_status(&files, "monitoring.health-endpoint", Status::Skip);
    assert_status(&files, "monitoring.readiness-endpoint", Status::Skip);
}

#[test]
fn database_sql_pool_is_bounded_only_by_set_max_open_conns() {
    let go_mod = (
        "go.mod",
        "module example.com/svc\n\nrequire (\n\tgithub.com/gin-gonic/gin v1.10.0\n\tgithub.com/lib/pq v1.10.9\n)\n",
    );
    let idle_only = (
        "db/db.go",
        "package db\n\nfunc Open() { db.SetMaxIdleConns(10) }\n",
    );
    assert_status(
        &[go_mod, GO_MAIN, idle_only],
        "database.connection-pool",
        Status::Fail,
    );
    let bounded = (
        "db/db.go",
        "package db\n\nfunc Open() { db.SetMaxOpenConns(25) }\n",
    );
    assert_status(
        &[go_mod, GO_MAIN, bounded],
        "database.connection-pool",
        Status::Pass,
    );
}

#[test]
fn pools_bounded_by_default_count() {
    let reqs = ("requirements.txt", "fastapi\nsqlalchemy\npsycopg2\n");
    let setup = (
        "app/db.py",
        "from sqlalchemy import create_engine\nengine = create_engine(url)\n",
    );
    assert_status(&[reqs, setup], "database.connection-pool", Status::Pass);
}

#[test]
fn slog_with_attributes_is_structured_logging() {
    let main = (
        "cmd/svc/main.go",
        "package main\n\nimport \"log/slog\"\n\nfunc main() {\n\tslog.Error(\"failed to list memos\", \"err\", err)\n\tr.Run(\":8080\")\n}\n",
    );
    assert_status(
        &[GO_SERVICE, main],
        "monitoring.structured-logging",
        Status::Pass,
    );
    let printf = (
        "cmd/svc/main.go",
        "package main\n\nimport \"log\"\n\nfunc main() {\n\tlog.Printf(\"failed: %v\", err)\n\tr.Run(\":8080\")\n}\n",
    );
    assert_status(
        &[GO_SERVICE, printf],
        "monitoring.structured-logging",
        Status::Fail,
    );
}

#[test]
fn diesel_migrations_per_backend_are_read() {
    let manifest = (
        "Cargo.toml",
        "[package]\nname = \"svc\"\n[dependencies]\nrocket = \"0.5\"\ndiesel = { version = \"2\", features = [\"postgres\"] }\n",
    );
    let main = ("src/main.rs", "fn main() {}\n");
    let up1 = (
        "migrations/postgresql/2024-01-01-000000_init/up.sql",
        "CREATE TABLE users (id INT);\n",
    );
    let down1 = (
        "migrations/postgresql/2024-01-01-000000_init/down.sql",
        "DROP TABLE users;\n",
    );
    let up2 = (
        "migrations/postgresql/2024-02-01-000000_email/up.sql",
        "ALTER TABLE users ADD COLUMN email TEXT;\n",
    );
    let empty_down = (
        "migrations/postgresql/2024-02-01-000000_email/down.sql",
        "-- This file should undo anything in `up.sql`\n",
    );
    let files = [manifest, main, up1, down1, up2, empty_down];
    assert_status(&files, "database.migration-versions", Status::Pass);
    assert_status(&files, "database.destructive-migrations", Status::Pass);
    assert_status(&files, "database.migrations-reversible", Status::Fail);
    let undone = (
        "migrations/postgresql/2024-02-01-000000_email/down.sql",
        "ALTER TABLE users DROP COLUMN email;\n",
    );
    assert_status(
        &[manifest, main, up1, down1, up2, undone],
        "database.migrations-reversible",
        Status::Pass,
    );
}

#[test]
fn a_module_of_the_minio_organisation_is_no_data_store() {
    // Argo CD depends on `github.com/minio/blake2b-simd`, a hash: nothing
    // there stores data, so no backup is asked for.
    let hash = (
        "go.mod",
        "module example.com/svc\n\ngo 1.22\n\nrequire (\n\tgithub.com/gin-gonic/gin v1.10.0\n\tgithub.com/minio/blake2b-simd v0.0.0-20160723061019-3f5f724cb5b1 // indirect\n)\n",
    );
    assert_status(&[hash, GO_MAIN], "backups.job", Status::Skip);
    // MinIO's client is a data store.
    let client = (
        "go.mod",
        "module example.com/svc\n\ngo 1.22\n\nrequire (\n\tgithub.com/gin-gonic/gin v1.10.0\n\tgithub.com/minio/minio-go/v7 v7.0.77\n)\n",
    );
    assert_status(&[client, GO_MAIN], "backups.job", Status::Fail);
    let npm = (
        "package.json",
        "{\"name\": \"svc\", \"dependencies\": {\"express\": \"^4.19.2\", \"minio\": \"^8.0.0\"}}\n",
    );
    assert_status(&[npm], "backups.job", Status::Fail);
}
