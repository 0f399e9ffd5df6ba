"""The campaigning organization: who signs the deliveries, whom supporters can contact."""
