"""Race four optimizers on Rosenbrock from a script, no GUI: the core API in a few lines."""

from optviz.core import RunSpec, Simulation, get_surface

surface = get_surface("rosenbrock")
sim = Simulation(
    surface,
    [
        RunSpec("gd", {"learning_rate": 1e-3}),
        RunSpec("momentum", {"learning_rate": 1e-3, "beta": 0.9}),
        RunSpec("adam", {"learning_rate": 0.05}),
        RunSpec("sgd", {"learning_rate": 1e-3}, label="SGD (B = 1)"),
    ],
    starts=surface.start,
    max_steps=2000,
    seed=0,
)
sim.run()
for k, spec in enumerate(sim.specs):
    w1, w2 = sim.path(k)[-1]
    print(f"{spec.title:12s} {sim.steps[k]:5d} steps  W = ({w1:+.4f}, {w2:+.4f})  "
          f"J = {sim.loss[k, 0]:.3g}  {sim.describe(k)}")
