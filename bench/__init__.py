"""`make bench`: load, page weight and report benchmarks of Jalon (GUIDE §6), run against the
production server (gunicorn) on a fresh database. Entry point: `python -m bench.run`."""
