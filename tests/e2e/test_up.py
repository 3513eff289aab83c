"""`mercato up` end to end: real processes, real ports, everything through the gateway."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import uuid
from collections.abc import Callable

import httpx
import pytest

from .conftest import Launch
from .running import RunningStack, mercato, nothing_listens

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery"


def unique_email(tag: str) -> str:
    return f"{tag}-{uuid.uuid4().hex[:12]}@example.com"


def gateway(stack: RunningStack) -> httpx.Client:
    return httpx.Client(base_url=stack.gateway, timeout=15)


def create_admin(
    stack: RunningStack, email: str, password: str, *options: str
) -> subprocess.CompletedProcess[str]:
    """`mercato create-admin` run as an operator would, beside the running stack."""
    return subprocess.run(
        mercato("create-admin", "--email", email, "--password", password, *options),
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def assert_all_stopped(stack: RunningStack) -> None:
    """No process `up` started is alive, and nothing listens on their ports any more."""
    children = stack.children
    assert set(children) >= {"users", "gateway"}, stack.output
    for name, (pid, url) in children.items():
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
        assert nothing_listens(url), f"{name} still listens on {url}"


class TestThroughTheGateway:
    def test_register_login_me_logout(self, stack: RunningStack) -> None:
        email = unique_email("shopper")
        with gateway(stack) as client:
            registered = client.post(
                "/api/auth/register", json={"email": email, "password": PASSWORD, "name": "Ada"}
            )
            assert registered.status_code == 201, registered.text
            assert registered.json()["user"]["email"] == email

            login = client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
            assert login.status_code == 200, login.text
            tokens = login.json()
            bearer = {"Authorization": f"Bearer {tokens['access_token']}"}

            me = client.get("/api/auth/me", headers=bearer)
            assert me.status_code == 200
            assert me.json()["email"] == email
            assert me.json()["role"] == "customer"

            logout = client.post(
                "/api/auth/logout", headers=bearer, json={"refresh_token": tokens["refresh_token"]}
            )
            assert logout.status_code == 204
            after = client.get("/api/auth/me", headers=bearer)
            assert after.status_code == 401
            assert after.headers["content-type"].startswith("application/problem+json")

    @pytest.mark.parametrize("path", ["/api/no-such-thing", "/internal/users/anything", "/nope"])
    def test_unrouted_paths_answer_404_problems(self, stack: RunningStack, path: str) -> None:
        with gateway(stack) as client:
            answer = client.get(path)
        assert answer.status_code == 404
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.json()["status"] == 404
        assert answer.headers["x-request-id"]

    def test_health_lists_the_services_up_started(self, stack: RunningStack) -> None:
        with gateway(stack) as client:
            answer = client.get("/health")
        assert answer.status_code == 200
        body = answer.json()
        assert body["status"] == "ok"
        # Only the services `up` started are aggregated: not the storefront.
        assert "web" in stack.children
        assert set(body["services"]) == set(stack.children) - {"gateway", "web"}
        assert body["services"]["users"]["status"] == "ok"

    def test_the_storefront_answers_beside_the_gateway(self, stack: RunningStack) -> None:
        _, web_url = stack.children["web"]
        assert web_url == stack.env["MERCATO_WEB_URL"]
        assert f"Storefront: {web_url}" in stack.output
        health = httpx.get(f"{web_url}/health", timeout=15)
        config = httpx.get(f"{web_url}/config.js", timeout=15)
        with gateway(stack) as client:
            preflight = client.options(
                "/api/products",
                headers={"Origin": web_url, "Access-Control-Request-Method": "GET"},
            )

        assert health.status_code == 200
        assert health.json()["status"] == "ok"
        assert isinstance(health.json()["built"], bool)  # web/dist may or may not be built
        assert config.status_code == 200
        assert config.text == f'window.MERCATO_CONFIG = {{"apiUrl": "{stack.gateway}"}};\n'
        # The storefront, on a port of its own, may call the gateway from the browser.
        assert preflight.headers["access-control-allow-origin"] == web_url

    def test_no_answer_names_the_server_software(self, stack: RunningStack) -> None:
        _, users_url = stack.children["users"]
        _, web_url = stack.children["web"]
        urls = [
            f"{stack.gateway}/health",
            f"{stack.gateway}/api/auth/me",
            f"{users_url}/health",
            f"{web_url}/",
        ]
        for url in urls:
            answer = httpx.get(url, timeout=15)
            assert "server" not in answer.headers, (url, answer.headers["server"])

    def test_create_admin_then_list_users(self, stack: RunningStack) -> None:
        email = unique_email("admin")
        created = create_admin(stack, email, PASSWORD, "--name", "Root")
        assert created.returncode == 0, created.stdout + created.stderr
        assert f"admin {email} created" in created.stdout
        with gateway(stack) as client:
            login = client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
            assert login.status_code == 200, login.text
            assert login.json()["user"]["role"] == "admin"
            bearer = {"Authorization": f"Bearer {login.json()['access_token']}"}
            listed = client.get("/api/users", params={"q": email}, headers=bearer)
        assert listed.status_code == 200, listed.text
        assert [user["email"] for user in listed.json()["items"]] == [email]

    def test_create_admin_promotes_an_existing_customer(self, stack: RunningStack) -> None:
        email = unique_email("promoted")
        with gateway(stack) as client:
            registered = client.post(
                "/api/auth/register", json={"email": email, "password": PASSWORD, "name": "Bo"}
            )
            assert registered.status_code == 201
            promoted = create_admin(stack, email, "ignored-password")
            assert promoted.returncode == 0, promoted.stdout + promoted.stderr
            assert f"admin {email} promoted" in promoted.stdout
            login = client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
        assert login.json()["user"]["role"] == "admin"


# Stopping is the supervisor's work, the same whatever the databases are: these stacks (about
# half a minute each) start once per `make test`, in its SQLite run.
@pytest.mark.skipif(
    os.environ.get("MERCATO_TEST_BACKEND", "sqlite") != "sqlite",
    reason="process supervision does not depend on the backend: covered by the SQLite run",
)
class TestStopping:
    def test_ctrl_c_stops_every_process(self, launch: Launch) -> None:
        stack = launch()
        stack.wait_until_ready()
        assert httpx.get(f"{stack.gateway}/health").status_code == 200
        stack.process.send_signal(signal.SIGINT)
        assert stack.wait_exit(timeout=20) == 0, stack.output
        assert_all_stopped(stack)
        assert "every process has stopped" in stack.output

    def test_a_dying_service_stops_the_stack_loudly(self, launch: Launch) -> None:
        stack = launch()
        stack.wait_until_ready()
        users_pid, _ = stack.children["users"]
        os.kill(users_pid, signal.SIGKILL)
        assert stack.wait_exit(timeout=20) != 0
        assert (
            f"mercato: users (pid {users_pid}) exited on its own, killed by SIGKILL" in stack.output
        )
        assert "users DIED" in stack.output
        assert_all_stopped(stack)


def test_a_taken_port_is_refused_before_anything_starts(
    launch: Launch, new_env: Callable[[], dict[str, str]]
) -> None:
    env = new_env()
    host, port = env["MERCATO_GATEWAY_URL"].removeprefix("http://").split(":")
    with socket.socket() as squatter:
        squatter.bind((host, int(port)))
        squatter.listen()
        stack = launch(env)
        assert stack.wait_exit(timeout=30) == 1
    assert f"port {port} on {host} is already in use" in stack.output
    assert "gateway cannot listen" in stack.output
    assert stack.children == {}
    assert nothing_listens(env["MERCATO_USERS_URL"])


def test_the_storefront_on_localhost_is_refused_when_the_loopback_port_is_taken(
    launch: Launch, new_env: Callable[[], dict[str, str]]
) -> None:
    env = new_env()
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        env["MERCATO_WEB_URL"] = f"http://localhost:{port}"
        stack = launch(env)
        assert stack.wait_exit(timeout=30) == 1
    assert f"port {port} on 127.0.0.1 is already in use" in stack.output
    assert f"web cannot listen on http://localhost:{port}" in stack.output
    assert stack.children == {}
