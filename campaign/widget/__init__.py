"""The embeddable petition widget: a frameable count, progress bar and sign form."""
