"""LL513 package-too-large beyond the fixtures: a directly uploaded zip over 50 MB, code folders
(what is left out, lower bounds), ZIP64 sizes. Large files are sparse: they take no disk."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from conftest import lint

from lambdalint.analysis import package, target
from lambdalint.model import CodeLocation, Function, Loc
from lambdalint.reading import Reader

HANDLER = "def handler(event, context):\n    return None\n"
MB = 1024 * 1024


def _sparse(path: Path, size: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        f.truncate(size)


def _terraform(folder: Path, filename: str) -> None:
    (folder / "main.tf").write_text(
        'resource "aws_lambda_function" "fn" {\n'
        '  function_name = "fn"\n'
        f'  filename      = "{filename}"\n'
        '  handler       = "app.handler"\n'
        '  runtime       = "python3.12"\n'
        '  role          = "arn:aws:iam::123456789012:role/fn"\n'
        "}\n",
        encoding="utf-8",
    )


def _sam(folder: Path, code_uri: str) -> None:
    (folder / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\n"
        "Resources:\n"
        "  Fn:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties:\n"
        "      Runtime: python3.12\n"
        "      Handler: app.handler\n"
        f"      CodeUri: {code_uri}\n",
        encoding="utf-8",
    )


def _findings(folder: Path) -> list[str]:
    return [f.message for f in lint(folder, select=["LL513"]).findings]


def _zip_with_padding(path: Path, padding: int) -> None:
    """A zip holding the handler and `padding` bytes of stored, incompressible-looking data:
    its own size is about `padding`."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as z:
        z.writestr("app.py", HANDLER)
        with z.open("blob.bin", "w", force_zip64=True) as f:
            chunk = bytes(range(256)) * 4096  # 1 MB
            for _ in range(padding // MB):
                f.write(chunk)


def test_a_zip_uploaded_directly_over_50_mb_is_reported(tmp_path: Path) -> None:
    _zip_with_padding(tmp_path / "fn.zip", 51 * MB)
    _terraform(tmp_path, "fn.zip")
    found = _findings(tmp_path)
    assert len(found) == 1 and "uploaded with the API call" in found[0], found


def test_a_zip_under_50_mb_uploaded_directly_is_fine(tmp_path: Path) -> None:
    _zip_with_padding(tmp_path / "fn.zip", 49 * MB)
    _terraform(tmp_path, "fn.zip")
    assert _findings(tmp_path) == []


def test_a_large_zip_uploaded_through_s3_has_no_direct_upload_limit(tmp_path: Path) -> None:
    # SAM uploads CodeUri to S3 first: only the 250 MB unzipped limit applies
    _zip_with_padding(tmp_path / "fn.zip", 51 * MB)
    _sam(tmp_path, "fn.zip")
    assert _findings(tmp_path) == []


def test_a_code_folder_over_250_mb_is_reported(tmp_path: Path) -> None:
    code = tmp_path / "src"
    code.mkdir()
    (code / "app.py").write_text(HANDLER, encoding="utf-8")
    _sparse(code / "data" / "model.bin", 251 * MB)
    _sam(tmp_path, "src")
    found = _findings(tmp_path)
    assert len(found) == 1 and "unzips to" in found[0], found


def test_folders_packaging_leaves_out_are_not_counted(tmp_path: Path) -> None:
    code = tmp_path / "src"
    code.mkdir()
    (code / "app.py").write_text(HANDLER, encoding="utf-8")
    for skipped in ("node_modules", ".venv", ".git", ".aws-sam"):
        _sparse(code / skipped / "big.bin", 300 * MB)
    _sam(tmp_path, "src")
    assert _findings(tmp_path) == []


def test_a_walk_that_stops_early_gives_a_lower_bound(tmp_path: Path) -> None:
    for i in range(3):
        _sparse(tmp_path / f"part{i}.bin", 100 * MB)
    fn = Function("Fn", "sam", Loc(tmp_path / "template.yaml"))
    fn.code = CodeLocation("dir", fn.loc, path=tmp_path)
    size = package.measure(fn, lint_reader(tmp_path), stop_at=150 * MB)
    assert size is not None and size.unzipped > 150 * MB and not size.complete


def test_zip64_entries_give_their_real_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # zipfile writes ZIP64 extra fields past ZIP64_LIMIT (4 GB): lowered, a small file gets one
    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", 1024)
    path = tmp_path / "big.zip"
    with zipfile.ZipFile(path, "w") as z:
        info = zipfile.ZipInfo("blob.bin")
        info.compress_type = zipfile.ZIP_BZIP2
        with z.open(info, "w", force_zip64=True) as f:
            f.write(b"\0" * (5 * MB))
    raw = path.read_bytes()
    assert b"\xff\xff\xff\xff" in raw  # the central directory defers to the extra field
    assert [size for _, size in target.zip_entries(path)] == [5 * MB]


def lint_reader(root: Path) -> Reader:
    return Reader(roots=(str(root.resolve()),))
