"""Audio in: PCM decoding, resampling to the models' rate, streaming features, voice activity."""
