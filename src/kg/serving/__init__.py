"""Running the service: gunicorn with pre-forked workers, the per-worker watchdog that ends a runaway request.

May import: `kg.core`, `kg.store`, `kg.web`.
"""
