"""Theory against simulation: experiments, extrapolation, scans, overlays."""
