"""`make run-cluster`: the product as several processes on shared services, behind HAProxy.

On this machine's PostgreSQL, Redis and RabbitMQ it starts, under `make run`'s supervisor
(scripts/run_all.py: restart with backoff, memory ceilings, JSON events):

    haproxy        :8000 website, desk, socket.io (sticky), REST channel  -> back ends / Rasa
                   :5005 Rasa (REST channel, HTTP API, socket.io sticky)   -> rasa-1, rasa-2
                   :5055 actions                                          -> actions-1, actions-2
    rasa-N         SQL tracker store on PostgreSQL, Redis lock store, socket.io rooms in Redis,
                   RabbitMQ event broker (Rasa's `pika` broker)
    actions-N      the action server, calling the back ends through HAProxy
    backend-N      billing data on PostgreSQL, consumes RabbitMQ into the desk, desk events
                   shared through Redis

Everything comes from environment variables with defaults (see `cluster_env`); the generated
HAProxy configuration and Rasa endpoints are written to CLUSTER_DIR (var/cluster). The databases
are created when missing, migrated and seeded (if empty). The e2e tests and `make bench` start
the same processes with `cluster_services`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import psycopg
import yaml
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.run_all import ROOT, Service, Supervisor, services

DEFAULTS = {
    "CLUSTER_REPLICAS": "2",
    "CLUSTER_HOST": "127.0.0.1",
    # Public ports, on HAProxy (as `make run`'s, so URLs stay the same).
    "BACKEND_PORT": "8000",
    "RASA_PORT": "5005",
    "ACTION_PORT": "5055",
    # Replicas take consecutive ports from here: Rasa +0.., actions +10.., back ends +20..
    "CLUSTER_PORTS_FROM": "18000",
    "CLUSTER_DIR": str(ROOT / "var/cluster"),
    "DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:5432/billing_cluster",
    "TRACKER_DB_URL": "postgresql://postgres@127.0.0.1:5432/billing_cluster_trackers",
    "LOCK_STORE_URL": "redis://127.0.0.1:6379/1",
    "SOCKETIO_REDIS_URL": "redis://127.0.0.1:6379/0",
    "DESK_REDIS_URL": "redis://127.0.0.1:6379/2",
    "RABBITMQ_URL": "amqp://guest:guest@127.0.0.1:5672/",
    "RABBITMQ_QUEUE": "billing_desk_events",
    "RABBITMQ_EXCHANGE": "rasa-exchange",
    # HAProxy's access log (one line per request: replica, status, times, path without query).
    "CLUSTER_ACCESS_LOG": "0",
    "HAPROXY": "/usr/sbin/haproxy",
}


def cluster_env(base: dict[str, str]) -> dict[str, str]:
    """The environment every process of the cluster gets: defaults, then `base` on top."""
    env = {**DEFAULTS, **{k: v for k, v in base.items() if v != ""}}
    host = env["CLUSTER_HOST"]
    rabbit = urlsplit(env["RABBITMQ_URL"])
    env.update(
        {
            # Every process reaches the others through HAProxy.
            "BACKEND_URL": f"http://{host}:{env['BACKEND_PORT']}",
            "RASA_URL": f"http://{host}:{env['RASA_PORT']}",
            "ACTION_ENDPOINT_URL": f"http://{host}:{env['ACTION_PORT']}/webhook",
            # The page's widget talks socket.io to the page's own origin (sticky in HAProxy).
            "RASA_PUBLIC_URL": env.get("RASA_PUBLIC_URL")
            or f"http://localhost:{env['BACKEND_PORT']}",
            "RASA_ENDPOINTS": str(Path(env["CLUSTER_DIR"]) / "endpoints.yml"),
            "RASA_CORS_ORIGIN": env.get("RASA_CORS_ORIGIN")
            or f"http://localhost:{env['BACKEND_PORT']} http://{host}:{env['BACKEND_PORT']}",
            # HAProxy forwards the client's address: the throttles count clients, not HAProxy.
            "TRUSTED_PROXIES": env.get("TRUSTED_PROXIES") or host,
            # Rasa's pika broker takes the parts of RABBITMQ_URL (endpoints.yml reads them).
            "RABBITMQ_HOST": rabbit.hostname or "127.0.0.1",
            "RABBITMQ_PORT": str(rabbit.port or 5672),
            "RABBITMQ_USERNAME": unquote(rabbit.username or "guest"),
            "RABBITMQ_PASSWORD": unquote(rabbit.password or "guest"),
        }
    )
    return env


@dataclass(frozen=True)
class Replica:
    kind: str  # rasa, actions, backend
    index: int  # 1..
    port: int

    @property
    def name(self) -> str:
        return f"{self.kind}-{self.index}"


def replicas(env: dict[str, str]) -> list[Replica]:
    first, count = int(env["CLUSTER_PORTS_FROM"]), int(env["CLUSTER_REPLICAS"])
    offsets = {"rasa": 0, "actions": 10, "backend": 20}
    return [
        Replica(kind, i + 1, first + offset + i)
        for kind, offset in offsets.items()
        for i in range(count)
    ]


def cluster_services(env: dict[str, str]) -> list[Service]:
    """HAProxy and every replica: run_all's commands on the replicas' own ports."""
    port_variable = {"rasa": "RASA_PORT", "actions": "ACTION_PORT", "backend": "BACKEND_PORT"}
    result = [
        Service(
            "haproxy", [env["HAPROXY"], "-db", "-f", str(Path(env["CLUSTER_DIR"]) / "haproxy.cfg")]
        )
    ]
    for replica in replicas(env):
        single = {**env, port_variable[replica.kind]: str(replica.port)}
        (command,) = [s.command for s in services(single) if s.name == replica.kind]
        result.append(Service(replica.name, command))
    return result


def _servers(env: dict[str, str], kind: str, check: str, cookie: bool = False) -> str:
    lines = [f"    option httpchk GET {check}", "    http-check expect status 200"]
    for replica in replicas(env):
        if replica.kind == kind:
            sticky = f" cookie {replica.name}" if cookie else ""
            lines.append(
                f"    server {replica.name} 127.0.0.1:{replica.port}{sticky} "
                "check inter 2s fastinter 500ms fall 3 rise 2"
            )
    return "\n".join(lines)


def haproxy_config(env: dict[str, str]) -> str:
    host = env["CLUSTER_HOST"]
    # Rasa is ready when /status answers 200 (its model loaded); /status needs the API token.
    rasa_status = f"/status?token={env['RASA_TOKEN']}" if env.get("RASA_TOKEN") else "/"
    logging = "    log stdout format raw local0\n" if env["CLUSTER_ACCESS_LOG"] == "1" else ""
    return f"""# Generated by scripts/run_cluster.py; edits are overwritten.
global
{logging}    maxconn 4096

defaults
    mode http
    log global
    # The path without its query string: Rasa's API token travels as ?token=.
    log-format "%b/%s %HM %HPO %ST %Tq/%Tw/%Tc/%Tr/%Ta"
    option forwardfor
    option redispatch 1
    # A replica that refused the connection (dead, restarting) is retried on another one;
    # a request it already received is never sent twice (it may have been handled).
    retries 3
    retry-on conn-failure
    timeout connect 2s
    # A replica busy with many conversations answers its health check late, not never: only a
    # dead one (refused at once) or three slow answers in a row take it out.
    timeout check 10s
    timeout client 120s
    timeout server 120s
    # socket.io's WebSocket and the desk's event stream stay open.
    timeout tunnel 1h

frontend web
    bind {host}:{env["BACKEND_PORT"]}
    acl socketio path_beg /socket.io/
    acl rasa_channel path_beg /webhooks/
    use_backend rasa_socketio if socketio
    use_backend rasa if rasa_channel
    default_backend backends

frontend rasa_api
    bind {host}:{env["RASA_PORT"]}
    acl socketio path_beg /socket.io/
    use_backend rasa_socketio if socketio
    default_backend rasa

frontend action_api
    bind {host}:{env["ACTION_PORT"]}
    default_backend actions

backend backends
    balance roundrobin
{_servers(env, "backend", "/health")}

backend rasa
    balance roundrobin
{_servers(env, "rasa", rasa_status)}

# socket.io (long polling, then WebSocket) must keep talking to the process that holds its
# session: a cookie where the client keeps cookies (browsers, same origin), else the source address.
backend rasa_socketio
    balance source
    hash-type consistent
    cookie RASA_REPLICA insert indirect nocache httponly
{_servers(env, "rasa", rasa_status, cookie=True)}

backend actions
    balance roundrobin
{_servers(env, "actions", "/health")}
"""


def rasa_endpoints() -> str:
    """endpoints.yml with Rasa's standard RabbitMQ broker instead of the HTTP broker."""
    endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text())
    endpoints["event_broker"] = {
        "type": "pika",
        "url": "${RABBITMQ_HOST}",
        "port": "${RABBITMQ_PORT}",
        "username": "${RABBITMQ_USERNAME}",
        "password": "${RABBITMQ_PASSWORD}",
        "queues": ["${RABBITMQ_QUEUE}"],
        "exchange_name": "${RABBITMQ_EXCHANGE}",
    }
    header = "# Generated by scripts/run_cluster.py from endpoints.yml; edits are overwritten.\n"
    return header + yaml.safe_dump(endpoints, sort_keys=False)


def write_configs(env: dict[str, str]) -> None:
    folder = Path(env["CLUSTER_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (("haproxy.cfg", haproxy_config(env)), ("endpoints.yml", rasa_endpoints())):
        path = folder / name
        path.touch(mode=0o600)  # haproxy.cfg holds Rasa's token
        path.write_text(text)


def create_database(url: str) -> None:
    """CREATE DATABASE for a PostgreSQL URL when it does not exist yet."""
    parts = urlsplit(url.replace("+psycopg", ""))
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if exists.fetchone() is None:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def prepare(env: dict[str, str], seed_args: list[str] | None = None) -> None:
    """Configs written, databases created, migrated and seeded (when empty)."""
    write_configs(env)
    for url in (env["DATABASE_URL"], env["TRACKER_DB_URL"]):
        if url.startswith("postgresql"):
            create_database(url)
    bot = str(ROOT / ".venv/bin/bot")
    for command in ([bot, "db", "upgrade"], [bot, "seed", *(seed_args or [])]):
        subprocess.run(command, cwd=ROOT, env=env, check=True)  # noqa: S603


def main() -> int:
    env = cluster_env({"PYTHONWARNINGS": "ignore", **os.environ})
    prepare(env)
    supervisor = Supervisor(cluster_services(env), env)

    def stop(*_: object) -> None:
        supervisor.stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    host = env["CLUSTER_HOST"]
    print(
        f"Starting the cluster: {env['CLUSTER_REPLICAS']} x (Rasa, actions, back end) behind "
        f"HAProxy: website and desk http://{host}:{env['BACKEND_PORT']}/, Rasa "
        f"http://{host}:{env['RASA_PORT']}, actions :{env['ACTION_PORT']} (ready in ~1-2 min). "
        "Ctrl-C stops all."
    )
    return supervisor.run()


if __name__ == "__main__":
    sys.exit(main())
