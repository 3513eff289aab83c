"""The signing key: generated once, private, shared by instances; or given by the environment."""

from __future__ import annotations

import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from mercato.kit.settings import Settings
from mercato.users.keys import KEY_FILE, load_signing_key, thumbprint


def test_a_generated_key_is_private_and_reused(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    first = load_signing_key(settings)
    path = settings.keys_dir / KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_signing_key(settings).kid == first.kid
    assert [p.name for p in settings.keys_dir.iterdir()] == [KEY_FILE]  # no temporary left


def test_instances_starting_together_agree_on_one_key(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    with ThreadPoolExecutor(8) as pool:
        kids = set(pool.map(lambda _: load_signing_key(settings).kid, range(16)))
    assert len(kids) == 1


def test_the_kid_is_the_rfc_7638_thumbprint(tmp_path: Path) -> None:
    # The example key of RFC 8037, appendix A.3.
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
    assert thumbprint(jwk) == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
    key = load_signing_key(Settings(data_dir=tmp_path))
    assert key.kid == thumbprint(key.public_jwk())


def test_a_key_from_the_environment_is_used(tmp_path: Path) -> None:
    private = ed25519.Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    key = load_signing_key(Settings(data_dir=tmp_path, jwt_private_key=pem))
    assert not (tmp_path / "keys").exists()
    token = key.sign_access_token(
        user_id="u", role="customer", session_id="s", issuer="i", audience="a", ttl_seconds=60
    )
    claims = jwt.decode(token, private.public_key(), algorithms=["EdDSA"], audience="a")
    assert claims["sub"] == "u"


def test_an_rsa_key_signs_rs256(tmp_path: Path) -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    key = load_signing_key(Settings(data_dir=tmp_path, jwt_private_key=pem))
    assert key.algorithm == "RS256"
    assert key.public_jwk()["kty"] == "RSA"
