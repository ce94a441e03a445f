"""The words the instruction grammar knows: verb phrases with the frame that reads their
arguments, phrases naming element kinds, relation words, ordinals, key names and fillers.

Every entry is plain English a person uses about screens; nothing here names a task."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sense:
    """What a verb phrase means: the plan verb it yields and the frame that parses its arguments."""

    verb: str
    frame: str
    phrase: str = ""


def _phrases(text: str) -> list[str]:
    """The comma-separated phrases of a lexicon entry."""
    return [p.strip() for p in text.replace("\n", " ").split(",") if p.strip()]


def _words(text: str) -> list[str]:
    """The space-separated words of a lexicon entry."""
    return text.split()


def _senses(frame: str, verb: str, phrases: str) -> dict[str, Sense]:
    """Each phrase of an entry mapped to one sense."""
    return {p: Sense(verb, frame) for p in _phrases(phrases)}


# Verb phrase -> sense. The frame names the function in frames.py that reads the arguments
# ("target": the verb applies to each element its object names).
VERB_SENSES: dict[str, Sense] = {
    **_senses(
        "target",
        "click",
        """click, click on, click at, click onto, click in, click into,
        tap, tap on, single click, single-click, single click on, left click, left-click,
        left click on, left-click on, mouse click, push, follow, visit, go to, go into,
        navigate to, jump to, switch to, head to, activate, trigger, focus, focus on,
        focus into, focus in, put focus on, give focus to, set focus to, move focus to,
        put the cursor in, place the cursor in, put your cursor in, toggle, find and click,
        locate and click, find and click on, locate and click on, find and open,
        find and select, choose and click""",
    ),
    **_senses(
        "target",
        "double_click",
        """double click, double-click, doubleclick, dblclick,
        double click on, double-click on, double tap, double-tap, double tap on, double-tap on""",
    ),
    **_senses(
        "target",
        "right_click",
        """right click, right-click, rightclick, right click on,
        right-click on, context click, context-click, secondary click""",
    ),
    **_senses(
        "target",
        "check",
        """check, tick, tick off, check off, enable, turn on,
        switch on, put a check in, put a tick in, put a check on, check mark""",
    ),
    **_senses(
        "target",
        "uncheck",
        """uncheck, untick, un-check, un-tick, deselect, de-select,
        unselect, un-select, unmark, disable, turn off, switch off, remove the check from,
        remove the tick from, remove the checkmark from""",
    ),
    **_senses(
        "target",
        "expand",
        """expand, unfold, open up, reveal, show, drill into,
        drill down into""",
    ),
    **_senses("target", "collapse", "collapse, fold, fold up, hide, minimize, minimise"),
    **_senses(
        "target",
        "hover",
        """hover, hover over, hover on, hover above, mouse over,
        mouseover, mouse-over, move the mouse over, move the mouse to, move the cursor over,
        move the cursor to, move your mouse over, move your mouse to, move your cursor over,
        move your cursor to, point at, point to, rest the cursor on, rest the mouse on,
        hover your mouse over, hover the mouse over, hover your cursor over,
        hover the cursor over, hover the pointer over, move the pointer over,
        move the pointer to, hover your mouse on, hover the mouse on,
        place the mouse over, place the cursor over, put the mouse over, put the cursor over""",
    ),
    **_senses("press", "click", "press, hit, push down, press on, hit on"),
    **_senses(
        "type",
        "type",
        """type, type out, enter, input, write,
        key in, fill in, fill out, fill, put, insert, paste, provide, supply, populate,
        complete""",
    ),
    **_senses("select", "select", "select, choose, pick, opt for, go with, pick out"),
    **_senses("open", "click", "open, launch, bring up, pull up, view, access, see"),
    **_senses("close", "collapse", "close, dismiss, shut, exit, get rid of"),
    **_senses("scroll", "scroll", "scroll, scroll through, scroll around"),
    **_senses(
        "drag",
        "drag",
        """drag, drag and drop, drag-and-drop, drag & drop, move, slide,
        pull, shift""",
    ),
    **_senses(
        "read",
        "read",
        """read, what is, what's, what are, tell me, report, get,
        look up, find out, note, note down, write down, copy down, identify, determine,
        work out, figure out, read out, read off, say, give me""",
    ),
    **_senses("find", "click", "find, locate, look for, spot, seek"),
    **_senses(
        "submit",
        "submit",
        """submit, send in, hand in, confirm, finish the form,
        complete the form""",
    ),
    **_senses(
        "done",
        "done",
        """done, call done, say done, finish, stop, end, end the task,
        finish up, wrap up, call it done, be done, return done, report done, signal done,
        mark the task done, mark the task as done, mark the task complete""",
    ),
    **_senses("answer", "done", "answer, answer with, reply with the answer"),
    **_senses(
        "set",
        "type",
        """set, change, adjust, update, increase, decrease, raise, lower,
        reduce, bump, bump up, turn up, turn down""",
    ),
    **_senses(
        "ensure",
        "check",
        """make sure, ensure, make sure that, ensure that, verify that,
        check that, confirm that, see that, see to it that""",
    ),
    **_senses("count", "read", "count, count up, tally"),
    **_senses(
        "solve",
        "read",
        """solve, calculate, compute, evaluate, work out the answer to, find the answer to,
        do the math, do the sum, do the calculation, find the value of x, simplify""",
    ),
    **_senses("clear", "uncheck", "clear, empty, erase, wipe, clear out, blank out"),
    **_senses("use", "click", "use, make use of"),
    **_senses(
        "noop",
        "click",
        """navigate, navigate through, navigate around, switch between,
        browse, browse through, look through, look around, go through, explore, look at,
        go back and forth between, toggle between, move between, flip through, cycle through,
        page through, leaf through, click through, step through""",
    ),
    **_senses("wait", "wait", "wait, wait for, pause, pause for, hold on for, sleep"),
    **_senses(
        "login",
        "submit",
        """log in, log on, login, logon, sign in, sign on, signin,
        authenticate, log into, log in to, sign into, sign in to""",
    ),
    **_senses(
        "signup",
        "type",
        """sign up, create an account, create a new account, make an account, open an account,
        enroll, enrol, sign up for an account""",
    ),
    **_senses("search", "type", "search, search for, google, query, search up, do a search for"),
    **_senses("reply", "click", "reply, respond, reply back, write back, answer back"),
    **_senses("mark", "check", "mark, flag as, label as"),
    **_senses("forward", "click", "forward, pass on, pass along, send on"),
}

# Verbs that name the button that does them: "like the post" clicks "like".
BUTTON_VERBS = frozenset(
    _words(
        """like unlike share retweet delete remove save cancel send download upload subscribe
    unsubscribe follow unfollow mute unmute block unblock star unstar bookmark print edit
    archive refresh reload continue proceed accept decline reject agree approve deny undo redo
    buy purchase checkout apply publish post vote upvote downvote flag pin unpin favourite
    favorite trash discard retry register logout signout upgrade install uninstall rename
    duplicate copy paste cut zoom play pause compose add reset open_new share"""
    )
)

# Words a split may not read as the start of a new clause, though they are verbs.
CLAUSE_VERBS_EXCLUDED = frozenset(
    _words("post show view see end note count access make add get answer shift pull")
)


KIND_PHRASES: dict[str, str] = {}
for _kind, _text in {
    "button": "button, btn, push button, pushbutton, command button, cta",
    "link": """link, hyperlink, hyper link, url, text link, anchor link, search result,
        result, search hit, hit""",
    "text_field": """text field, textfield, text box, textbox, text input, input, input field,
        input box, input textbox, input text box, field, entry field, entry box, form field,
        edit box, editbox, blank, box, text entry, entry box""",
    "password": """password, password field, password box, password input, passcode, pin,
        password text box, password textbox""",
    "text_area": """text area, textarea, multiline field, multi-line field, multiline text box,
        comment box, message box, message body, body, text region, free text box, editor""",
    "checkbox": """checkbox, check box, check-box, tickbox, tick box, checkmark, check mark,
        toggle, switch, toggle switch, tick""",
    "radio": """radio, radio button, radiobutton, radio option, radio box, option button,
        radio input, radio choice""",
    "dropdown": """dropdown, drop-down, drop down, dropdown menu, drop-down menu, drop down menu,
        dropdown list, drop-down list, drop down list, select, select box, select menu,
        select list, select field, selector, combo box, combobox, combo, picker, list,
        listbox, list box, scroll list, scrolling list, scrollable list, pull-down,
        pulldown, pull-down menu, options list""",
    "tab": "tab, tab header, tab button, tab label, page tab",
    "menu_item": """menu item, menu entry, menu option, menu, submenu, sub-menu, menu bar item,
        context menu item, menu choice""",
    "list_option": """item, option, list item, list option, list entry, entry, choice,
        suggestion, autocomplete suggestion, autocomplete option, list element""",
    "slider": "slider, range slider, range, range input, scale, knob, slider handle",
    "date_field": """date field, date, date box, date input, datepicker, date picker, calendar,
        date of birth, birth date, birthdate, birthday""",
    "icon_button": "icon, icon button, glyph, symbol, icon link",
    "text": """text, label, word, paragraph, heading, title, caption, sentence, string,
        phrase, headline""",
    "any": "element, widget, control, thing, one, ui element, component, object, target",
}.items():
    KIND_PHRASES.update({p: _kind for p in _phrases(_text)})

# A widget's own type names, as a "... widget" phrase quotes them ("text" means a text input).
WIDGET_TYPES = {"text": "text_field", "textarea": "text_area", "radio": "radio",
                "checkbox": "checkbox", "button": "button", "select": "dropdown"}  # fmt: skip

# Heads that a relation may anchor to but that name no element of their own.
CONTAINERS = frozenset(
    _phrases("""dialog, dialog box, dialogue, dialogue box, popup, pop-up,
    pop up, modal, window, form, page, screen, website, site, web page, webpage, browser, area,
    region, sidebar, side bar, toolbar, tool bar, navbar, nav bar, navigation, frame, view, app,
    application, footer, top of the page, bottom of the page, corner, top, bottom, end""")
)

# Heads whose element opens and closes (so "open" means expand).
EXPANDABLE = frozenset(
    _words(
        """section sections panel panels accordion accordions group groups folder folders node nodes
    details subsection subsections category categories tree branch collapsible collapsibles
    disclosure fold header headers"""
    )
)

# Things a read step reports rather than elements it clicks.
QUANTITIES = frozenset(
    _words(
        """word words value values number numbers price prices name names title total count amount
    date time answer sum score cost temperature rating percentage age year quantity status
    balance letter letters character characters digit digits code phone address id color
    colour size weight height width length day month text solution"""
    )
)

# Post-head phrases that give the element's label.
NAMING = frozenset(
    _phrases("""named, labeled, labelled, called, titled, entitled, that says, which says,
    saying, that reads, which reads, reading, with the text, with text, with the label,
    with label, with the name, with name, with the title, with title, marked, captioned,
    with the caption, showing, that shows, displaying, that displays, with the words,
    with the word, that is labeled, that is labelled, that is called, that is named,
    which is labeled, which is labelled, which is called, which is named""")
)

RELATION_PHRASES: dict[str, str] = {}
for _relation, _text in {
    "left": """to the left of, on the left of, left of, at the left of, left side of,
        on the left side of, to the left side of, just left of, immediately left of,
        directly left of, before""",
    "right": """to the right of, on the right of, right of, at the right of, right side of,
        on the right side of, to the right side of, just right of, immediately right of,
        directly right of, after, following""",
    "above": """above, over, on top of, directly above, just above, right above, immediately
        above, atop""",
    "below": """below, under, underneath, beneath, directly below, just below, right below,
        immediately below, directly under, just under, right under""",
    "near": """next to, beside, besides, near, nearby, close to, by, alongside, adjacent to,
        near to, around, for, from, of, corresponding to, that corresponds to,
        that corresponds with, associated with, belonging to, on the same row as,
        in the same row as, in line with""",
    "inside": "inside, in, within, inside of, on, under the heading, in the middle of, at",
}.items():
    RELATION_PHRASES.update({p: _relation for p in _phrases(_text)})

ORDINALS: dict[str, int] = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "last": -1,
    "final": -1, "top": 1, "topmost": 1, "uppermost": 1, "leftmost": 1, "bottom": -1,
    "bottommost": -1, "lowest": -1, "rightmost": -1, "second last": -2, "second-last": -2,
    "second to last": -2, "second-to-last": -2, "next to last": -2, "next-to-last": -2,
    "penultimate": -2, "third last": -3, "third to last": -3, "third-to-last": -3,
    "last but one": -2, "one before last": -2,
}  # fmt: skip
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                "eight": 8, "nine": 9, "ten": 10}  # fmt: skip

DETERMINERS = frozenset(
    _words("""the a an this that these those some any your my our its their his her""")
)
QUANTIFIERS_ALL = frozenset(
    _phrases("""all of the, all the, all, every, each, each of the, everything, every single,
    all of them, all of these, all of those""")
)
QUANTIFIERS_BOTH = frozenset(("both of the", "both the", "both"))
ADJECTIVES = frozenset(
    _words(
        """only single main little small big large visible available given corresponding same
    following appropriate relevant correct right proper current highlighted primary secondary
    empty blank new existing clickable whole entire specified specific indicated requested
    mentioned listed shown displayed said respective one collapsed expanded hidden closed open
    opened"""
    )
)

FILLERS = frozenset(
    _phrases("""please, kindly, now, just, also, then, first, firstly, next, finally,
    lastly, afterwards, afterward, after that, after this, once done, once that is done,
    when done, and then, and, simply, go ahead and, make sure to, make sure you, be sure to,
    you should, you need to, you must, you have to, you will need to, i want you to,
    i need you to, i'd like you to, i would like you to, can you, could you, would you,
    will you, try to, try and, proceed to, continue to, remember to, don't forget to,
    do not forget to, let's, let us, you can, you may, we need to, we want to, need to,
    want to, go and, come and, quickly, carefully, immediately, subsequently, second,
    secondly, thirdly, step 1, step 2, step 3, step 4, additionally, you're, you are,
    you're then, as needed, if needed, as necessary, if necessary, keep, continue, start""")
)

# Labels that hold a relation or verb word but are one name ("Log in", "Sign up").
LABEL_COMPOUNDS = frozenset(
    _phrases("""first name, last name, forgot password,
    forgot your password, reset password, change password, log in, log out, sign in, sign up,
    sign out, opt in, opt out,
    check in, check out, zoom in, zoom out, add on, log on, log off, back to top, read more,
    see more, show more, learn more, load more, view more, show less, see all, view all,
    terms of service, terms of use, terms and conditions, privacy policy, sort by, filter by,
    save as, save and continue, add to cart, add to basket, go back,
    go to top, next page, previous page""")
)

CONDITIONS = {
    "only if": "if", "if": "if", "unless": "unless", "until": "until", "till": "until",
    "when": "when", "whenever": "when", "once": "once", "as long as": "if", "provided": "if",
    "except for": "except", "except": "except", "but not": "except", "other than": "except",
    "apart from": "except", "aside from": "except", "excluding": "except", "save for": "except",
    "but": "except", "but leave": "except", "but keep": "except", "leaving": "except",
    "while": "while",
    "in case": "if",
}  # fmt: skip
RELATIVE_CONDITIONS: dict[str, str] = {}
for _meaning, _text in {
    "starts with": """that starts with, that begins with, starting with, beginning with,
        which starts with, which begins with, that start with, that begin with, starts with,
        begins with, whose name starts with, with a name starting with, that start with,
        that starts in""",
    "ends with": """that ends with, ending with, which ends with, that end with, ends with,
        whose name ends with""",
    "contains": """that contains, containing, which contains, that contain, contains,
        whose name contains, that includes, including, which includes""",
    "matches": "that matches, matching, which matches",
}.items():
    RELATIVE_CONDITIONS.update({p: _meaning for p in _phrases(_text)})

DIRECTIONS = {"up": "up", "down": "down", "left": "left", "right": "right", "upward": "up",
              "upwards": "up", "downward": "down", "downwards": "down", "top": "top",
              "bottom": "bottom", "end": "bottom", "beginning": "top", "start": "top"}  # fmt: skip

KEYS = {
    "enter": "Enter", "return": "Enter", "tab": "Tab", "escape": "Escape", "esc": "Escape",
    "backspace": "Backspace", "back space": "Backspace", "delete": "Delete", "del": "Delete",
    "space": "Space", "spacebar": "Space", "space bar": "Space", "home": "Home", "end": "End",
    "page up": "PageUp", "pageup": "PageUp", "page down": "PageDown", "pagedown": "PageDown",
    "up": "ArrowUp", "down": "ArrowDown", "left": "ArrowLeft", "right": "ArrowRight",
    "up arrow": "ArrowUp", "down arrow": "ArrowDown", "left arrow": "ArrowLeft",
    "right arrow": "ArrowRight", "arrow up": "ArrowUp", "arrow down": "ArrowDown",
    "arrow left": "ArrowLeft", "arrow right": "ArrowRight", "insert": "Insert", "f5": "F5",
    "f1": "F1", "f2": "F2", "f3": "F3", "f4": "F4", "f6": "F6", "f7": "F7", "f8": "F8",
    "f9": "F9", "f10": "F10", "f11": "F11", "f12": "F12",
}  # fmt: skip
MODIFIERS = {
    "ctrl": "ctrl", "control": "ctrl", "shift": "shift", "alt": "alt", "option": "alt",
    "cmd": "meta", "command": "meta", "meta": "meta", "super": "meta", "win": "meta",
}  # fmt: skip

PRONOUNS = frozenset(_words("it them that this these those him her the same one there"))
ANSWER_PRONOUNS = frozenset(("that", "it", "this", "the answer", "the result", "the word",
                             "the value", "that word", "that value", "the number", "that number",
                             "this word", "the text", "what you found", "your answer",
                             "the same", "that text", "it in", "the name"))  # fmt: skip
NOTHING = frozenset({"nothing", "none", "no items", "no options", "no boxes", "nothing at all",
                     "none of them", "no checkboxes", "no item"})  # fmt: skip

# Kind phrases that also say which field they are ("search box": a text field labelled search).
LABELLED_KINDS = {
    "search box": ("text_field", "search"), "search bar": ("text_field", "search"),
    "search field": ("text_field", "search"), "searchbox": ("text_field", "search"),
    "searchbar": ("text_field", "search"), "search input": ("text_field", "search"),
    "address bar": ("text_field", "address"), "url bar": ("text_field", "url"),
}  # fmt: skip

# Head nouns that name a form field, as in "enter the username X" or "X as the email".
FIELD_NOUNS = frozenset(
    _phrases("""username, user name, user, login, email, e-mail, email address,
    e-mail address, name, first name, last name, full name, surname, given name, family name,
    phone, phone number, telephone, mobile, mobile number, address, street, street address,
    city, town, state, zip, zip code, zipcode, postcode, post code, postal code, country,
    company, organization, organisation, title, subject, message, comment, comments, note,
    notes, description, bio, search, query, search term, search terms, keyword, keywords,
    code, coupon, coupon code, promo code, amount, quantity, age, website, url, id,
    nickname, handle, display name, recipient, to, cc, bcc, card number, cvv, price,
    answer, reply, value, number, time, year, month, day, text, account, account number,
    location, destination, origin, from, departure, arrival""")
)
