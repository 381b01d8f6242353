"""nenaudit: reproduce and audit the statistics of a published clinical-radiomics study."""

__version__ = "0.1.0"
