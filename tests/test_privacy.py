"""No raw email, phone number or NI number from any message may land under data/ or in logs."""

import logging
import re

from fastapi.testclient import TestClient

from api.app import create_app

SECRETS = [
    "priya.nair@example.org",
    "07700 900789",
    "+44 7911 654321",
    "QQ 12 34 56 C".replace("QQ", "JH"),
]


def test_personal_data_never_reaches_disk_or_logs(real_components, data_dir, caplog):
    caplog.set_level(logging.DEBUG)
    app = create_app(real_components.settings, components=real_components)
    messages = [
        f"My email is {SECRETS[0]} and my phone {SECRETS[1]}, my boss keeps my passport",
        f"मेरा फ़ोन {SECRETS[2]} है और NI नंबर {SECRETS[3]} है, मेरी तनख्वाह नहीं मिली",
        f"Ang numero ko ay {SECRETS[1]}, hindi pa ako binabayaran",
    ]
    with TestClient(app) as c:
        for m in messages:
            assert c.post("/api/chat", json={"message": m}).status_code == 200
    engine_url = real_components.settings.database_url
    assert engine_url.startswith("sqlite")
    patterns = [re.escape(s).replace(r"\ ", r"\s?") for s in SECRETS]
    blob_hits = []
    for path in data_dir.rglob("*"):
        if path.is_file():
            raw = path.read_bytes()
            for p in patterns:
                if re.search(p.encode(), raw):
                    blob_hits.append((path.name, p))
    assert blob_hits == []
    for p in patterns:
        assert not re.search(p, caplog.text)
