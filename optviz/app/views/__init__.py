"""What the window draws: the contour map and its figure, colour bar, loss and gradient curves, the data plot, overlays, the swarm layer, the run legend and swatches, readouts."""
