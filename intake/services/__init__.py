"""The domain: plain functions taking a database session and plain values.

Views, the API, the CLI and the offline sync all call these; nothing here
touches the request, the session cookie or flash messages.
"""
