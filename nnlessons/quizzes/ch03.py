"""Chapter 3 (activation functions): check yourself."""

from ..display.quiz import MultipleChoice, Numeric, Option

QUESTIONS = {
    "sigmoid-slope-max": Numeric(
        r"What is the largest value of the sigmoid's derivative \(\sigma'(z)\)?",
        0.25, decimals=2,
        mistakes={0.5: r"That is \(\sigma(0)\), the sigmoid's value at 0, not its slope.",
                  1: r"The sigmoid itself approaches 1; its slope is far smaller."},
        explain=r"\(\sigma'(z) = \sigma(z)(1 - \sigma(z))\) is largest at \(z = 0\), where it is \(\tfrac12 \cdot \tfrac12 = \tfrac14\).",
    ),
    "positive-inputs": MultipleChoice(
        r"Every input \(x_i\) of a unit is positive. For one training example, the gradient on the unit's weights ...",
        [Option("is zero", why="Only if the common factor \\(\\frac{\\partial L}{\\partial f} f'(s)\\) is zero, "
                               "which it is not in general."),
         Option("has components that are all positive or all negative", correct=True),
         Option("points straight at the best weights",
                why="No single gradient points at the best weights; and here all its components share a sign, "
                    "so the weights can only all grow or all shrink in one step."),
         Option("has components of random signs",
                why="Each component is one common factor times a positive \\(x_i\\), so their signs cannot differ.")],
        explain=r"\(\partial L / \partial w_i = \frac{\partial L}{\partial f} f'(s)\, x_i\): one common factor times "
                r"positive \(x_i\), so every component has the sign of the common factor.",
    ),
    "dead-relu": MultipleChoice(
        "A ReLU unit in the first layer has a negative pre-activation for every training input. "
        "What does gradient descent on the training data do to its weights?",
        [Option("It pushes them until the unit fires again",
                why="To push them it needs a gradient, and a unit with slope 0 for every input passes none back."),
         Option("It shrinks them slowly towards zero",
                why="Shrinking needs a gradient too (or weight decay, which plain gradient descent does not "
                    "have); these weights get exactly zero."),
         Option("Nothing: their gradient is exactly zero", correct=True),
         Option("It makes them negative", why="Nothing changes them at all: their gradient is exactly zero.")],
        explain="The unit outputs 0 with slope 0 for every input, so its weights and bias get exactly zero "
                "gradient, and its inputs (the data) never change: it is dead for good.",
    ),
}

QUIZZES = {"check-yourself": ["sigmoid-slope-max", "positive-inputs", "dead-relu"]}
