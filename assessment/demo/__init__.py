"""The synthetic demo benchmark pool: `generator` (pure: organisations and answers that
reproduce the published Digiskills findings, with `answers` holding the latent model) and
`loader` (stores a pool, replacing the previous one)."""

DEFAULT_ORGANISATIONS = 250
DEFAULT_SEED = 2015
