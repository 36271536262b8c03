"""Chapter 5 (training and the chain rule): check yourself."""

from ..display.quiz import MultipleChoice, Numeric, Option

QUESTIONS = {
    "likelihood": MultipleChoice(
        "Training a classifier by maximising the log-likelihood of the labels is the same as ...",
        [Option("minimising the sum of squared errors",
                why="Squared error is the log-likelihood of real targets with Gaussian noise, not of class labels."),
         Option("minimising the cross-entropy", correct=True),
         Option("maximising the accuracy",
                why="Accuracy only counts right answers; the likelihood also rewards confidence, so the two can "
                    "prefer different weights (and accuracy has no useful gradient)."),
         Option("minimising the learning rate",
                why="The learning rate is the optimiser's step size, not part of what is optimised.")],
        explain="The log-likelihood is minus the summed cross-entropy, so the best weights are the same.",
    ),
    "dce-dw": Numeric(
        r"For the lecture's model with \(w = 0\), \(x = 2\) and label \(y = 1\), what is \(dCE/dw\)?",
        -1,
        mistakes={-0.5: r"That is \(\hat y - y\); the chain rule multiplies it by \(x = 2\)."},
        explain=r"At \(w = 0\), \(\hat y = 1/2\), so \((\hat y - y)x = (0.5 - 1) \cdot 2 = -1\).",
    ),
    "divergence": Numeric(
        r"Gradient descent on \(L(w) = 5w^2\): above which learning rate does it diverge?",
        0.2, tol=1e-9, precision="Give the exact value, as a decimal or a fraction.",
        mistakes={0.1: r"At \(\alpha = 0.1\) a step multiplies \(w\) by \(1 - 10 \cdot 0.1 = 0\): it lands on the "
                       r"minimum. Divergence needs \(|1 - 10\alpha| > 1\)."},
        explain=r"\(L''(w) = 10\), and a step multiplies \(w\) by \(1 - 10\alpha\), whose size exceeds 1 "
                r"when \(\alpha > 2/10 = 0.2\).",
    ),
}

QUIZZES = {"check-yourself": ["likelihood", "dce-dw", "divergence"]}
