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

QUESTIONS["before-start-b"] = MultipleChoice(
    "Before you run it: from start B, full-batch steps with all-positive inputs move the two weights in "
    "opposite directions, because the examples' residuals have both signs. Centred inputs need 3 steps. "
    "How many will all-positive inputs need, each with its own best learning rate?",
    [Option("About 3 as well: the same-sign problem is gone",
            why="The same-sign steps were a symptom. The loss surface, set by the inputs and not by the start, "
                "is the same from every start point."),
     Option("Several times as many", correct=True),
     Option("Gradient descent diverges",
            why="Each version uses the best fixed learning rate for its own loss, which is below "
                r"\(2/\lambda_{\max}\), so gradient descent converges.")],
    explain="25 steps against 3. The input mean adds one large curvature to the loss, so the safe learning rate "
            "is small and progress along the flat direction is slow: a conditioning problem, whatever the "
            "signs of the steps.",
)
QUESTIONS["bias-remedy"] = MultipleChoice(
    "In the chapter's measurement, which change to the initial biases of the ReLU network did most of the good "
    "(fewer dead units, lower final loss)?",
    [Option("Replacing the random default biases by zeros", correct=True),
     Option("Raising the biases from 0 to 0.01",
            why="Zero and 0.01 behaved almost the same: 4.1 % against 2.2 % dead at initialisation, the same "
                "final loss."),
     Option("Raising the biases to 0.1",
            why="0.1 left almost no unit dead at birth but did no better after the big step, and its final "
                "loss was higher than with 0 or 0.01."),
     Option("None: the bias initialisation made no difference",
            why="It made a large one: 34.7 % dead after the big step with the random default, 6 to 8 % with "
                "0 or 0.01.")],
    explain="Removing PyTorch's random biases (uniform in \\(\\pm 1/\\sqrt{\\text{fan-in}}\\)) did most of the "
            "work; a small positive value added little.",
)
QUIZZES["before-start-b"] = ["before-start-b"]
QUIZZES["check-yourself"] = QUIZZES["check-yourself"] + ["bias-remedy"]
