from trajectories.cli import main

main()
