"""Analysis tools: basins of attraction, learning-rate sweeps, the finish leaderboard."""
