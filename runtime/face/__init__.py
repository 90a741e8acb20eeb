"""Avatars: a portrait analysed once (MediaPipe FaceLandmarker) and kept on disk for the renderer."""
