"""Audio constants of the models, with their units; derived values are computed, never retyped."""

SAMPLE_RATE = 16_000  # Hz: every model sees 16 kHz mono float32
HOP_LENGTH = 160  # samples between feature frames: 10 ms
WINDOW_LENGTH = 400  # samples of each analysis window: 25 ms
N_FFT = 512  # FFT size (the window is zero-padded to it)
N_MELS = 80  # mel bands of the log-mel features
MEL_FMIN_HZ = 60.0
MEL_FMAX_HZ = 7_600.0

FEATURE_RATE = SAMPLE_RATE // HOP_LENGTH  # 100 feature frames per second
HOP_S = HOP_LENGTH / SAMPLE_RATE  # 0.01 s

MIN_INPUT_SAMPLE_RATE = 8_000  # Hz: what a client may send
MAX_INPUT_SAMPLE_RATE = 48_000
