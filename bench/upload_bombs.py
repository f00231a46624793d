"""Hostile uploads against the public tip form: time and peak memory per request.

Every case runs in a fresh Python process, so its peak resident memory is its own, through the
whole Django stack in-process (django.test.Client: middleware, upload handlers, the form, the
throttle, the services) on a throwaway SQLite database migrated once. The files are built
beforehand, in this process, and read by the cases from a temporary directory.

Cases:

- bomb-invalid: five 6300 x 6300 PNGs (about 128 KB each) on a form missing its category;
- bomb-over-limit: the same files from a client that has already sent its tips (the request
  measured is the one after TIPLINE_TIPS_PER_CLIENT valid tips without files);
- bomb-valid: the same files on a valid form;
- under-the-caps: five 4890 x 4890 PNGs (just under the 24 MP per picture) on a valid form:
  the most decoding one request can cause (the rest is refused by the per-request budget);
- photo: a valid tip with one 12 MP JPEG (4032 x 3024), what a student sends;
- five-photos: the same with five of them;
- big-photo: a valid tip with one 108 MP JPEG (12000 x 9000), a large phone camera's photo;
- twelve-mb: a valid tip with one 12 MB file.

Per case: HTTP status, wall and CPU seconds of the request, peak resident memory above the
process's resident size just before it (VmHWM, reset just before, minus VmRSS), Pillow
image-memory blocks allocated (Pillow's own allocator statistics), how many uploads Django
wrote to a temporary file, and how many files are left in the upload temporary directory.

    .venv/bin/python bench/upload_bombs.py [--case NAME ...]
"""

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = (
    "bomb-invalid",
    "bomb-over-limit",
    "bomb-valid",
    "under-the-caps",
    "photo",
    "five-photos",
    "big-photo",
    "twelve-mb",
)
BOMB_SIDE = 6300
# Just under the per-picture limit: the most one PNG may decode.
UNDER_CAP_SIDE = 4890
TIP = {
    "body": "Someone is selling vapes in the east bathroom before first period.",
    "category": "substances",
    "danger_now": "no",
    "location": "East bathroom",
}


def png_bomb(side: int) -> bytes:
    """An RGB PNG of side x side black pixels, compressed row by row (little memory)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data).to_bytes(4, "big")
        return len(data).to_bytes(4, "big") + kind + data + crc

    header = side.to_bytes(4, "big") * 2 + b"\x08\x02\x00\x00\x00"
    compressor = zlib.compressobj(9)
    row = b"\x00" + b"\x00" * (side * 3)
    idat = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def jpeg(size: tuple[int, int]) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, (90, 120, 160))
    draw = ImageDraw.Draw(image)
    for x in range(0, size[0], 97):
        draw.line([(x, 0), (size[0] - x, size[1])], fill=(200, 40, 40), width=9)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def build_files(directory: Path) -> None:
    (directory / "bomb.png").write_bytes(png_bomb(BOMB_SIDE))
    (directory / "under-cap.png").write_bytes(png_bomb(UNDER_CAP_SIDE))
    (directory / "photo.jpg").write_bytes(jpeg((4032, 3024)))
    (directory / "big-photo.jpg").write_bytes(jpeg((12000, 9000)))
    (directory / "twelve-mb.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * (12 * 1024 * 1024))


def prepare_database(path: Path, env: dict) -> None:
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    seed = (
        "from accounts.models import District, School;"
        "d=District.objects.create(name='Bench', slug='bench');"
        "School.objects.create(district=d, name='Bench High', slug='bench-high')"
    )
    subprocess.run([python, "manage.py", "shell", "-c", seed], cwd=ROOT, env=env, check=True)


def memory_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


def run_case(name: str, files_dir: Path, upload_tmp: Path) -> dict:
    """In a fresh process: one measured request (after any priming requests)."""
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client
    from PIL import Image

    from tipline.models import Attachment

    Attachment.objects.all().delete()
    settings.FILE_UPLOAD_TEMP_DIR = str(upload_tmp)
    client = Client(raise_request_exception=False)

    def named(filename: str, as_name: str | None = None):
        handle = io.BytesIO((files_dir / filename).read_bytes())
        handle.name = as_name or filename
        return handle

    payload = dict(TIP)
    if name.startswith("bomb"):
        payload["files"] = [named("bomb.png", f"bomb-{n}.png") for n in range(5)]
    if name == "bomb-invalid":
        payload["category"] = ""
    if name == "bomb-over-limit":
        for _ in range(settings.TIPLINE_TIPS_PER_CLIENT):
            assert client.post("/s/bench-high/", TIP).status_code == 200
    if name == "under-the-caps":
        payload["files"] = [named("under-cap.png", f"big-{n}.png") for n in range(5)]
    if name == "photo":
        payload["files"] = [named("photo.jpg")]
    if name == "five-photos":
        payload["files"] = [named("photo.jpg", f"photo-{n}.jpg") for n in range(5)]
    if name == "big-photo":
        payload["files"] = [named("big-photo.jpg")]
    if name == "twelve-mb":
        payload["files"] = [named("twelve-mb.png")]

    blocks_before = Image.core.get_stats()
    # Reset this process's peak resident size to its current size (Linux 4.0+), so the peak
    # read afterwards is the request's own.
    Path("/proc/self/clear_refs").write_text("5")
    resident_before = memory_kb("VmRSS")
    cpu_before, wall_before = time.process_time(), time.perf_counter()
    response = client.post("/s/bench-high/", payload)
    wall = time.perf_counter() - wall_before
    cpu = time.process_time() - cpu_before
    peak_after = memory_kb("VmHWM")
    blocks_after = Image.core.get_stats()
    allocated = sum(
        blocks_after[key] - blocks_before[key] for key in ("allocated_blocks", "reused_blocks")
    )
    return {
        "case": name,
        "status": response.status_code,
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 3),
        "peak_rss_above_baseline_mb": round((peak_after - resident_before) / 1024, 1),
        "pillow_blocks": allocated,
        "uploads_written_to_disk": sum(
            hasattr(upload, "temporary_file_path")
            for upload in response.wsgi_request.FILES.getlist("files")
        ),
        "left_in_upload_tmp": len(list(upload_tmp.iterdir())),
        "attachments_stored": Attachment.objects.count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--case", action="append", choices=CASES)
    parser.add_argument("--run-one", help=argparse.SUPPRESS)
    parser.add_argument("--files", help=argparse.SUPPRESS)
    parser.add_argument("--upload-tmp", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_one:
        sys.path.insert(0, str(ROOT))
        result = run_case(args.run_one, Path(args.files), Path(args.upload_tmp))
        print(json.dumps(result))
        return
    with tempfile.TemporaryDirectory(prefix="upload_bombs_") as scratch:
        scratch = Path(scratch)
        files_dir = scratch / "files"
        files_dir.mkdir()
        build_files(files_dir)
        bomb_size = (files_dir / "bomb.png").stat().st_size
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": f"sqlite:///{scratch / 'bench.sqlite3'}",
            "MEDIA_ROOT": str(scratch / "media"),
            "LOG_LEVEL": "ERROR",
        }
        prepare_database(scratch / "bench.sqlite3", env)
        print(f"bomb file: {BOMB_SIDE} x {BOMB_SIDE} PNG, {bomb_size // 1024} KB; five per request")
        for name in args.case or CASES:
            upload_tmp = scratch / f"upload-tmp-{name}"
            upload_tmp.mkdir(mode=0o700)
            command = [sys.executable, __file__, "--run-one", name, "--files", str(files_dir)]
            command += ["--upload-tmp", str(upload_tmp)]
            done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
            if done.returncode:
                print(f"{name}: failed\n{done.stderr[-2000:]}")
                continue
            print(json.dumps(json.loads(done.stdout.strip().splitlines()[-1])))


if __name__ == "__main__":
    main()
