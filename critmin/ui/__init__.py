"""The pygame-ce front end: scenes, world map, flows, panels. Renders observations, submits actions."""
