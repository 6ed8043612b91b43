"""optviz: watch neural-network optimizers race across loss surfaces."""

__version__ = "0.1.0"
