"""The phone system (CTI): the dealers' lines, the call events their PBX pushes, the screen pop, missed calls and
click to call."""
