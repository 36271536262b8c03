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

QUESTIONS["batch-noise"] = MultipleChoice(
    "The batch grows from 5 to 20 examples (out of 200). The typical error of the mini-batch gradient, "
    "the square root of its mean squared distance from the full gradient, ...",
    [Option("shrinks by a factor of about 4",
            why="The squared error shrinks about 4 times; its square root, the typical error, about 2 times."),
     Option("shrinks by a factor of about 2", correct=True),
     Option("stays the same", why="A mean of more examples scatters less around the full gradient."),
     Option("grows", why="More examples make the estimate better, not worse.")],
    explain=r"The squared error goes like \(1/B\) (times a factor close to 1 when \(B \ll N\)), so the "
            r"error goes like \(1/\sqrt B\): four times the batch, half the error.",
)

QUESTIONS["momentum-0.9"] = MultipleChoice(
    r"On the line-fit bowl, plain gradient descent at \(\alpha = 0.4\) needs 60 steps to get within "
    r"\(10^{-6}\) of the smallest loss. With momentum \(\mu = 0.9\) and the same \(\alpha\), it needs ...",
    [Option("far fewer steps, about 10",
            why=r"Momentum 0.9 makes the steps along a steady slope up to 10 times longer; on this bowl "
                "that overshoots the minimum."),
     Option("about the same number",
            why="Momentum changes the path a lot here: move the sliders of the explorer below."),
     Option("more steps", correct=True)],
    explain=r"It needs 143 steps: with \(\mu = 0.9\) the running average keeps pushing past the minimum and "
            r"the path spirals in slowly. A moderate \(\mu = 0.5\) needs 22.",
)

QUESTIONS["softmax-grad"] = Numeric(
    r"A 3-class softmax gives the probabilities \(\hat{\mathbf p} = (0.7, 0.2, 0.1)\) and the true class is "
    r"the second one. What is \(\partial CE / \partial z_2\), the gradient for the second logit?",
    -0.8, decimals=1,
    mistakes={0.2: r"That is \(\hat p_2\); subtract 1 for the true class: \(\hat p_2 - 1\).",
              0.8: r"The size is right; the true class's entry is \(\hat p_y - 1\), which is negative."},
    explain=r"\(\nabla_{\mathbf z} CE = \hat{\mathbf p} - \mathbf e_y = (0.7, 0.2 - 1, 0.1) = (0.7, -0.8, 0.1)\).",
)

QUIZZES = {"check-yourself": ["likelihood", "dce-dw", "softmax-grad", "divergence"],
           "batch-noise": ["batch-noise"], "momentum-0.9": ["momentum-0.9"]}
