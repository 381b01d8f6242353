"""Pure numerics: arrays in, frozen result dataclasses out. No I/O, no plotting."""
