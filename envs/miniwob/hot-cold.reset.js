// hot-cold: the hint under the field stays from the last episode, and each episode binds another
// mousemove handler that writes it for the last episode's target; undone before each episode.
() => { $('#display').empty(); $('#touch-area').off('mousemove'); }
