"""The side panel's controls: the race editor, the surface picker, swarm settings, playback, the timeline, shared inputs and the update-rule panel."""
