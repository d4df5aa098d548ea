"""Model kinds behind one interface, their preprocessing, calibration and folders."""
