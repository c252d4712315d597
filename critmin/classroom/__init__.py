"""Classroom sessions: websocket server and clients, instructor controls, persistence, debrief."""
