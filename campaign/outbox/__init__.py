"""The outbox: every e-mail is a row written in the transaction of the action that causes it,
delivered later by `flask outbox work`. It knows nothing of the features that fill it."""
