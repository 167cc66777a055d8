"""Names are masked before scoring, so that who signed does not change what is coded."""

from classify.names import mask_names


def test_names_become_x_and_institutions_stay():
    assert mask_names("All prisoners held by the Government of Arland or by the Westmark Liberation Front shall be released.") == (
        "All prisoners held by the Government of X or by the X Liberation Front shall be released."
    )
    assert mask_names("The Parties request the UN Security Council and the African Union to support the Joint Monitoring Commission.") == (
        "The Parties request the UN Security Council and the African Union to support the Joint Monitoring Commission."
    )


def test_a_run_of_names_is_one_x_and_acronyms_are_names_unless_international():
    assert mask_names("The meeting in Kordofan State, with Abdel Aziz Adam and the SPLM-N and the IGAD envoy, ended.") == (
        "The meeting in X State, with X and the X and the IGAD envoy, ended."
    )


def test_capitalised_english_words_are_not_names():
    text = "The Revitalised Transitional Government shall respect the Cessation of Hostilities and the Package of Measures."
    assert mask_names(text) == text


def test_the_first_word_of_a_sentence_is_kept():
    # any word may open a sentence; "The" and "Each" must stay, so a name there stays too
    assert mask_names("Each Party shall act. Sudan shall act.") == "Each Party shall act. Sudan shall act."
    assert mask_names("1. Refugees who fled Colombia shall return.") == "1. Refugees who fled X shall return."


def test_swapping_names_gives_the_same_masked_text():
    # words that say what a party is (Liberation Front, Armed Forces) stay: they are not names
    template = "The Government of {A} and the {B} Liberation Front agree to release all prisoners held in {C}."
    names = [("Arland", "Westmark", "Kaldoria"), ("Colombia", "Bolivarian", "Bogota"), ("Nepal", "Madhesi", "Kathmandu")]
    masked = {mask_names(template.format(A=a, B=b, C=c)) for a, b, c in names}
    assert len(masked) == 1, masked
