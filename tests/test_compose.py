"""docker-compose.yml is a valid Compose file for the production way (no engine runs here)."""

import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def test_it_has_the_five_services():
    assert set(compose()["services"]) >= {"db", "redis", "web", "worker", "beat"}


def test_web_worker_and_beat_run_the_same_image_with_the_same_settings():
    services = compose()["services"]
    apps = [services[name] for name in ("web", "worker", "beat")]

    assert len({s["image"] for s in apps}) == 1
    assert all(s.get("build", {}).get("context", ".") == "." for s in apps if "build" in s)
    environments = [s["environment"] for s in apps]
    assert environments[0] == environments[1] == environments[2]
    env = environments[0]
    assert env["DATABASE_URL"].startswith("postgres://")
    assert env["CELERY_BROKER_URL"].startswith("redis://")
    assert "SECRET_KEY" in env


def test_the_app_waits_for_healthy_postgres_and_redis():
    services = compose()["services"]
    for name in ("db", "redis"):
        assert "test" in services[name]["healthcheck"], name
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["db"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"


def test_the_processes_are_gunicorn_a_worker_and_beat_with_the_database_scheduler():
    services = compose()["services"]
    assert "gunicorn" in " ".join(services["web"]["command"])
    assert services["worker"]["command"][:4] == ["celery", "-A", "eldercare", "worker"]
    beat = " ".join(services["beat"]["command"])
    assert "beat" in beat and "django_celery_beat.schedulers:DatabaseScheduler" in beat
    assert "healthcheck" in services["web"]


def test_the_secret_key_must_come_from_the_environment():
    env = compose()["services"]["web"]["environment"]
    assert env["SECRET_KEY"].startswith("${SECRET_KEY:?")
    assert env.get("DEBUG", "0") in ("0", "false", "")


def test_a_backup_service_dumps_the_database_nightly_into_its_own_volume():
    data = compose()
    backup = data["services"]["backup"]
    db = data["services"]["db"]
    # the same PostgreSQL as the database (pg_dump must not be older than the server)
    assert backup["image"] == db["image"]
    assert backup["depends_on"]["db"]["condition"] == "service_healthy"
    env = backup["environment"]
    assert env["PGHOST"] == "db"
    assert env["PGUSER"] == db["environment"]["POSTGRES_USER"]
    assert env["PGDATABASE"] == db["environment"]["POSTGRES_DB"]
    assert env["PGPASSWORD"] == db["environment"]["POSTGRES_PASSWORD"]
    assert env["BACKUP_KEEP_DAYS"].startswith("${BACKUP_KEEP_DAYS:-")
    assert env["BACKUP_AT"].startswith("${BACKUP_AT:-")
    assert "pgbackups:/backups" in backup["volumes"]
    assert "pgbackups" in data["volumes"]
    script = backup["entrypoint"][-1]
    mounted = {v.split(":")[1]: v.split(":")[0] for v in backup["volumes"] if v.startswith("./")}
    assert (ROOT / mounted[script]).is_file()
    assert backup.get("restart") == "unless-stopped"
    assert "test" in backup["healthcheck"]


def test_the_backup_script_is_valid_bash_and_dumps_in_custom_format():
    script = ROOT / "docker" / "pg-backup.sh"
    subprocess.run(["bash", "-n", str(script)], check=True)
    text = script.read_text(encoding="utf-8")
    assert "pg_dump --format=custom" in text
    assert "umask 077" in text


def test_the_app_takes_the_client_address_rule_from_the_environment():
    env = compose()["services"]["web"]["environment"]
    assert env["TRUSTED_PROXY_COUNT"] == "${TRUSTED_PROXY_COUNT:-0}"
    assert env["API_TOKEN_HOURS"].startswith("${API_TOKEN_HOURS:-")
