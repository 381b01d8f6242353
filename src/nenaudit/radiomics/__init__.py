"""What pyradiomics extracts: the feature catalogue used to check a paper's feature counts and names."""
