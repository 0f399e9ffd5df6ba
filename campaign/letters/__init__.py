"""Letters: supporters write to the targets; organizers deliver the petition and log replies."""
