"""Motion: audio → mouth, dynamics (head, eyes, brows), controls, and their composition per hop."""
