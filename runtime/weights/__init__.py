"""Model weights shipped with the runtime (numpy .npz files) and their model cards."""
