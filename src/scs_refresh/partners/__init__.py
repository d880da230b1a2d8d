"""The partners of the Breckland Partnership: register, questionnaire, responses, chasing, interviews.

Seed 000, 4.3.3: "design and distribute a partner questionnaire" and hold one-to-one
interviews where required; 4.3.4: complete the interviews in the testing stage.
"""
