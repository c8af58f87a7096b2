"""The social landlord's portal: its own handovers, and nothing else."""
