"""Privacy: a signer's copy of their data, its deletion, and anonymisation after delivery."""
