"""Retargeting: a MotionFrame (and the session's controls) → the values other rigs expect.

Numbers only, no transport: `livelink` gives the 61 curves of Epic's Live Link Face packet, `vrm`
the VRM 1.0 expression presets that VMC and UniVRM speak. The service's adapters put them in packets.
"""
