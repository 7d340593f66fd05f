enum _EmptyFleetLab {}
