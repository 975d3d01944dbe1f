"""What makes the HTTP server fit for a network: access token, body and host checks, bounded
concurrency with a queue, time limits, cancellation, and a connection-level header timeout.

The app itself is built by `proplens.api.create_app`.
"""
